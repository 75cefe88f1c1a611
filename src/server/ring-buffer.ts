import type { StoredEvent } from './adapters/adapter'

/** An event in the ring, with its sequence number (1, 2, …) as its position. */
export interface RingEvent extends StoredEvent {
  readonly seq: number
}

/** A page of encoded events and the sequence number of its last one. */
export interface RingPage {
  text: string
  lastSeq: number
}

/** A fixed-size history of encoded events, addressed by sequence number (1, 2, …). */
export interface EventRing {
  /** Stores an encoded event under `id`, evicting the oldest when full. */
  push(id: string, chunk: string): RingEvent
  /** Sequence number of the newest event (0 before the first). */
  readonly lastSeq: number
  /**
   * Sequence number after which a client that last saw `id` resumes, or `undefined`
   * when `id` is unknown or already evicted (the client missed events).
   */
  cursorOf(id: string): number | undefined
  /**
   * The encoded events after sequence number `from`, up to and including `to`, as many as fit
   * in `maxBytes` bytes of UTF-8 (always at least one event when there is one).
   */
  page(from: number, to: number, maxBytes: number): RingPage
  /** Sequence number just before the oldest event still held. */
  readonly floorSeq: number
}

/** Creates an {@link EventRing} holding at most `capacity` events. */
export function createEventRing(capacity: number): EventRing {
  const events: RingEvent[] = new Array(capacity)
  // Latest sequence number per id: custom ids may repeat, the newest wins.
  const seqById = new Map<string, number>()
  let lastSeq = 0

  function floorSeq(): number {
    return Math.max(0, lastSeq - capacity)
  }

  function push(id: string, chunk: string): RingEvent {
    const seq = ++lastSeq
    const slot = seq % capacity
    const evicted = events[slot]
    if (evicted !== undefined && seqById.get(evicted.id) === evicted.seq) seqById.delete(evicted.id)
    const event: RingEvent = { id, chunk, bytes: Buffer.byteLength(chunk), seq }
    events[slot] = event
    seqById.set(id, seq)
    return event
  }

  function cursorOf(id: string): number | undefined {
    // "0" is the head before anything was published: valid while event 1 is still held.
    if (id === '0' && !seqById.has(id)) return floorSeq() === 0 ? 0 : undefined
    return seqById.get(id)
  }

  function page(from: number, to: number, maxBytes: number): RingPage {
    let text = ''
    let bytes = 0
    let seq = Math.max(from, floorSeq())
    while (seq < to) {
      const event = events[(seq + 1) % capacity]
      if (text !== '' && bytes + event.bytes > maxBytes) break
      text += event.chunk
      bytes += event.bytes
      seq++
    }
    return { text, lastSeq: seq }
  }

  return {
    push,
    cursorOf,
    page,
    get lastSeq() {
      return lastSeq
    },
    get floorSeq() {
      return floorSeq()
    },
  }
}
