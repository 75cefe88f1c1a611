/**
 * Remembers the ids delivered on earlier connections, to drop what a resume replays, and the
 * resume point.
 */
export interface IdMemory {
  /**
   * Records an id about to be delivered on the current connection, which makes it the resume
   * point, and returns true; returns false, recording nothing, when an earlier connection
   * delivered it.
   */
  take(id: string): boolean
  /** A new connection starts: everything delivered so far becomes "earlier". */
  nextConnection(): void
  /** The resume point: the id taken or set last. */
  last(): string | undefined
  /** Sets the resume point without recording the id for dedupe. */
  setLast(id: string | undefined): void
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
 * Keeps at least the most recent `capacity` entries. A resume replays at most what the server
 * buffered after the resume point, so this window catches every duplicate a replay can bring.
 * The ids go into a fresh array of `capacity` slots every `capacity` entries, not into one
 * long-lived ring: a store into a young array needs no write barrier, and one made at its
 * full size never grows, so that store is all an event costs. The resume point is derived
 * from the arrays, not kept in a variable, for the same reason. Checking is one `Set.has`;
 * the set is built once per connection. Within one connection repeated ids are the server's
 * intent and pass.
 */
export function createIdMemory(capacity: number, initialLast: string | undefined): IdMemory {
  // Ids in the order taken, in the first `count` slots; `undefined` where setLast() moved the
  // resume point to `pinned`.
  let current: (string | undefined)[] = new Array(capacity)
  let count = 0
  let previous: (string | undefined)[] = []
  // Undefined while empty, so that the first connection pays nothing for the check.
  let earlier: Set<string | undefined> | undefined
  let pinned = initialLast

  function last(): string | undefined {
    const id = current[count - 1]
    return id === undefined ? pinned : id
  }

  return {
    take(id) {
      // An empty id is no id (it clears the resume point) and never a duplicate.
      if (earlier && id && earlier.has(id)) return false
      // `>=`, not `===`: setLast() adds its mark without this check.
      if (count >= capacity) {
        previous = current
        current = new Array(capacity)
        count = 0
      }
      current[count++] = detached(id)
      return true
    },
    nextConnection() {
      const ids = previous.concat(current.slice(0, count))
      earlier = ids.length ? new Set() : undefined
      // Added one by one: IE11's Set constructor ignores its argument.
      ids.forEach((id) => earlier?.add(id))
    },
    last,
    setLast(id) {
      pinned = id
      // One mark after the last id is enough: a quiet stream's heartbeats must not grow the array.
      if (current[count - 1] !== undefined) current[count++] = undefined
    },
    clear() {
      pinned = last()
      current = new Array(capacity)
      count = 0
      previous = []
      earlier = undefined
    },
  }
}
