/** A fixed-size history of encoded events, addressed by sequence number (1, 2, …). */
export interface EventRing {
  /** Stores an encoded event under `id`, evicting the oldest when full; returns its sequence number. */
  push(id: string, chunk: string): number
  /** Sequence number of the newest event (0 before the first). */
  readonly lastSeq: number
  /** Id of the event with sequence number `seq`; `'0'` for 0. */
  idAt(seq: number): string
  /**
   * Sequence number after which a client that last saw `id` resumes, or `undefined`
   * when `id` is unknown or already evicted (the client missed events).
   */
  cursorOf(id: string): number | undefined
  /** The encoded events after sequence number `from`, up to and including `to`, as one string. */
  between(from: number, to: number): string
  /** Sequence number just before the oldest event still held. */
  readonly floorSeq: number
}

/** Creates an {@link EventRing} holding at most `capacity` events. */
export function createEventRing(capacity: number): EventRing {
  const ids: string[] = new Array(capacity)
  const chunks: string[] = new Array(capacity)
  // Latest sequence number per id: custom ids may repeat, the newest wins.
  const seqById = new Map<string, number>()
  let lastSeq = 0

  function floorSeq(): number {
    return Math.max(0, lastSeq - capacity)
  }

  function push(id: string, chunk: string): number {
    const seq = ++lastSeq
    const slot = seq % capacity
    const evicted = ids[slot]
    if (evicted !== undefined && seqById.get(evicted) === seq - capacity) seqById.delete(evicted)
    ids[slot] = id
    chunks[slot] = chunk
    seqById.set(id, seq)
    return seq
  }

  function idAt(seq: number): string {
    return seq === 0 ? '0' : ids[seq % capacity]
  }

  function cursorOf(id: string): number | undefined {
    // "0" is the head before anything was published: valid while event 1 is still held.
    if (id === '0' && !seqById.has(id)) return floorSeq() === 0 ? 0 : undefined
    return seqById.get(id)
  }

  function between(from: number, to: number): string {
    let out = ''
    for (let seq = Math.max(from, floorSeq()) + 1; seq <= to; seq++) out += chunks[seq % capacity]
    return out
  }

  return {
    push,
    idAt,
    cursorOf,
    between,
    get lastSeq() {
      return lastSeq
    },
    get floorSeq() {
      return floorSeq()
    },
  }
}
