/**
 * Longest id the client remembers or resumes from, in characters. Longer ids are still
 * delivered (on the message), but neither deduped nor sent back: no server needs a resume
 * point that long, and 2,048 remembered ids of up to `maxMessageBytes` each could hold
 * hundreds of megabytes.
 */
export const MAX_ID_LENGTH = 1024

/** Remembers the ids delivered lately, to drop any that comes again, and the resume point. */
export interface IdMemory {
  /**
   * Returns false for an id delivered before (on this connection or an earlier one); else
   * records it, which makes it the resume point, and returns true. An empty id clears the
   * resume point, and an id over {@link MAX_ID_LENGTH} is passed and ignored; neither is
   * ever a duplicate.
   */
  recordIfNew(id: string): boolean
  /** The resume point: the id recorded or set last. */
  last(): string | undefined
  /** Sets the resume point without recording the id for dedupe (unless it is over the bound). */
  setLast(id: string): void
  /** Forgets every id; the resume point stays. */
  clear(): void
}

/**
 * `id` as a string of its own. Engines keep a substring of more than a few characters as a
 * view into the string it was cut from (JavaScriptCore past 8 Latin-1 characters, V8 from 13),
 * so an id cut from a chunk would keep the whole chunk, up to `maxMessageBytes` of it, alive
 * for as long as the id is remembered. Shorter ids are copies already and cost nothing here.
 */
function detached(id: string): string {
  return id.length > 8 ? (' ' + id).slice(1) : id
}

/**
 * The order in which ids usually grow: by length, then by character. Counters ("9", "10"),
 * timestamps and zero-padded ids grow this way, and so do most Redis stream ids.
 */
function isAfter(id: string, newest: string): boolean {
  return id.length > newest.length || (id.length === newest.length && id > newest)
}

/**
 * Remembers at least the most recent `capacity` ids (a resume replays fewer). The ids go into
 * a fresh array of `capacity` slots every `capacity` ids, not into one long-lived ring: a
 * store into a young array needs no write barrier, and one made at its full size never grows,
 * so that store is most of what an event costs. While each new id comes after the one before
 * it (as {@link isAfter} has it), it cannot have been delivered: the newest id is all it is
 * checked against. The first id out of that order (random ids, a replay, a restarted server)
 * puts the remembered ids into a set, rebuilt whenever an array is dropped, and from then on
 * every id is checked in it.
 */
export function createIdMemory(capacity: number, initialLast: string | undefined): IdMemory {
  let current: string[] = new Array(capacity)
  let count = 0
  let previous: string[] = []
  // The ids of `previous` and `current`, once the ids came out of order.
  let seen: Set<string> | undefined
  // setLast() moved the resume point to `pinned` when `current` held `pinnedCount` ids; no
  // flag is cleared per event, so the usual path stores nothing but the id.
  let pinned = initialLast
  let pinnedIn = current
  let pinnedCount = 0

  function newest(): string | undefined {
    return count ? current[count - 1] : previous[capacity - 1]
  }

  function index(): void {
    seen = new Set()
    // Added one by one (IE11's Set constructor ignores its argument); forEach skips the empty slots.
    previous.concat(current).forEach((each) => seen?.add(each))
  }

  /** Every id the usual path does not take: empty, too long, out of order, or the array is full. */
  function recordOther(id: string): boolean {
    const last = newest()
    if (!id || id.length > MAX_ID_LENGTH) {
      memory.setLast(id)
      return true
    }
    if (!seen && last !== undefined && !isAfter(id, last)) index()
    if (seen?.has(id)) return false
    if (count >= capacity) {
      previous = current
      current = new Array(capacity)
      count = 0
      if (seen) index()
    }
    current[count++] = id = detached(id)
    seen?.add(id)
    return true
  }

  const memory: IdMemory = {
    recordIfNew(id) {
      // The usual case, kept small: V8 inlines it into the parser's loop (see the client's sink).
      if (count && count < capacity && !seen && id.length <= MAX_ID_LENGTH && isAfter(id, current[count - 1])) {
        current[count++] = detached(id)
        return true
      }
      return recordOther(id)
    },
    last: () => (pinnedIn === current && pinnedCount === count ? pinned : newest()),
    setLast(id) {
      if (id.length > MAX_ID_LENGTH) return
      pinned = id
      pinnedIn = current
      pinnedCount = count
    },
    clear() {
      pinned = memory.last()
      pinnedIn = current = new Array(capacity)
      pinnedCount = count = 0
      previous = []
      seen = undefined
    },
  }
  return memory
}
