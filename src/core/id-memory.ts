/** Remembers the most recent `capacity` ids, forgetting the oldest first. */
export interface IdMemory {
  has(id: string): boolean
  add(id: string): void
  clear(): void
}

/**
 * A bounded set of delivered event ids. A resume replays at most what the server buffered
 * after the resume point, so a window of recent ids catches every duplicate that matters
 * without growing with the stream.
 */
export function createIdMemory(capacity: number): IdMemory {
  let ring: string[] = []
  let next = 0
  let known = new Set<string>()

  return {
    has: (id) => known.has(id),
    add(id) {
      if (known.has(id)) return
      const evicted = ring[next]
      if (evicted !== undefined) known.delete(evicted)
      ring[next] = id
      next = (next + 1) % capacity
      known.add(id)
    },
    clear() {
      ring = []
      next = 0
      known = new Set<string>()
    },
  }
}
