/** Remembers the ids delivered on earlier connections, to drop what a resume replays. */
export interface IdMemory {
  /** Records an id delivered on the current connection. */
  remember(id: string): void
  /** Whether `id` was delivered on an earlier connection. */
  seenBefore(id: string): boolean
  /** A new connection starts: everything delivered so far becomes "earlier". */
  nextConnection(): void
  clear(): void
}

/**
 * Keeps the most recent `capacity` ids (a power of two). A resume replays at most what the
 * server buffered after the resume point, so this window catches every duplicate a replay
 * can bring. Recording is one array write per event and checking one `Set.has`; the set is
 * rebuilt only once per connection. Within one connection repeated ids are the server's
 * intent and pass.
 */
export function createIdMemory(capacity: number): IdMemory {
  const mask = capacity - 1
  let ring: (string | undefined)[] = new Array(capacity)
  let next = 0
  let earlier = new Set<string>()

  return {
    remember(id) {
      ring[next] = id
      next = (next + 1) & mask
    },
    seenBefore: (id) => earlier.size > 0 && earlier.has(id),
    nextConnection() {
      earlier = new Set<string>()
      for (let i = 0; i < capacity; i++) {
        const id = ring[i]
        if (id !== undefined) earlier.add(id)
      }
    },
    clear() {
      ring = new Array(capacity)
      next = 0
      earlier = new Set<string>()
    },
  }
}
