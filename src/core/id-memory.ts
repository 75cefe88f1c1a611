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
 * so that store is most of what an event costs. While the ids arrive in the order
 * {@link isAfter} describes, the arrays are sorted: a new id is checked against the newest
 * one alone, and one that is not after it (a replay) by binary search. The first new id out
 * of that order (random ids, a restarted server) builds a `Set` of the remembered ids, and
 * from then on every id is checked in sets, one per array.
 */
export function createIdMemory(capacity: number, initialLast: string | undefined): IdMemory {
  let current: string[] = new Array(capacity)
  let count = 0
  let previous: string[] = []
  // The sets of `current` and `previous`, once the ids have left the sorted order.
  let currentSet: Set<string> | undefined
  let previousSet: Set<string> | undefined
  // setLast() moved the resume point to `pinned` when `current` held `pinnedCount` ids; no
  // flag is cleared per event, so the usual path stores nothing but the id.
  let pinned = initialLast
  let pinnedIn = current
  let pinnedCount = 0

  function newest(): string | undefined {
    return count ? current[count - 1] : previous[capacity - 1]
  }

  /** Whether the sorted `ids[0 .. end)` hold `id`. */
  function holds(ids: string[], end: number, id: string): boolean {
    let low = 0
    let high = end
    while (low < high) {
      const middle = (low + high) >> 1
      if (ids[middle] === id) return true
      if (isAfter(id, ids[middle])) low = middle + 1
      else high = middle
    }
    return false
  }

  function toSet(ids: string[], end: number): Set<string> {
    // Added one by one: IE11's Set constructor ignores its argument.
    const set = new Set<string>()
    for (let i = 0; i < end; i++) set.add(ids[i])
    return set
  }

  /** Every id that is not simply after the newest one in a half-full array. */
  function recordOther(id: string): boolean {
    if (!id || id.length > MAX_ID_LENGTH) {
      memory.setLast(id)
      return true
    }
    if (currentSet) {
      if (currentSet.has(id) || previousSet?.has(id)) return false
    } else if (newest() !== undefined && !isAfter(id, newest() as string)) {
      if (holds(current, count, id) || holds(previous, previous.length, id)) return false
      currentSet = toSet(current, count)
      previousSet = toSet(previous, previous.length)
    }
    if (count >= capacity) {
      previous = current
      current = new Array(capacity)
      count = 0
      previousSet = currentSet
      if (currentSet) currentSet = new Set()
    }
    id = detached(id)
    current[count++] = id
    currentSet?.add(id)
    return true
  }

  const memory: IdMemory = {
    recordIfNew(id) {
      // The usual case, kept small: V8 inlines it into the parser's loop (see the client's sink).
      if (count && count < capacity && !currentSet && id.length <= MAX_ID_LENGTH && isAfter(id, current[count - 1])) {
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
      currentSet = previousSet = undefined
    },
  }
  return memory
}
