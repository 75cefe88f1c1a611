import { createEventRing } from './ring-buffer'
import { encodeEvent, encodeReset, isValidEventId, isValidEventType } from './sse-encoding'
import type { PublishInput } from './types'

/** One connection the hub delivers to, whatever its transport. */
export interface HubClient {
  /** Writes bytes that are shared with every other client; must not modify them. */
  write(payload: Buffer): void
  /** Bytes written but not yet sent to the peer. */
  backlog(): number
  /** What to write on every heartbeat tick; none for a held long-poll. */
  heartbeat?: Buffer
  /** Ends the connection cleanly (server shutdown). */
  end(): void
  /** Drops the connection at once (slow consumer, `disconnectAll`, shutdown grace over). */
  destroy(): void
}

/** Publishing, history and fan-out shared by every transport. */
export interface Hub {
  publish(input: PublishInput): string
  /**
   * What a client resuming after `lastEventId` must get before live events: nothing when it
   * missed nothing, else the events it missed, preceded by `pushwire:reset` when they are gone.
   */
  replay(lastEventId: string | undefined): { text: string; reset: boolean }
  /** Id of the newest event already delivered to live clients ("0" before any). */
  headId(): string
  /** Starts delivering to `client`; returns the function that stops it (call it on close). */
  add(client: HubClient): () => void
  readonly size: number
  disconnectAll(): number
  /** Flushes, ends every client, and waits until all are gone (destroying stragglers after `graceMs`). */
  close(graceMs: number): Promise<void>
}

/** Settings of {@link createHub}. */
export interface HubOptions {
  bufferSize: number
  heartbeatMs: number
  maxClientBufferBytes: number
}

function dataText(data: unknown): string {
  if (typeof data === 'string') return data
  const json = JSON.stringify(data)
  if (json === undefined) throw new TypeError(`pushwire/server: publish() data must be JSON-serialisable, got ${typeof data}`)
  return json
}

function validateInput(input: PublishInput): void {
  if (input === null || typeof input !== 'object') {
    throw new TypeError('pushwire/server: publish() takes an object `{ event?, data, id? }`')
  }
  if (input.event !== undefined && (typeof input.event !== 'string' || !isValidEventType(input.event))) {
    throw new TypeError('pushwire/server: publish() `event` must be a non-empty string without CR, LF or NUL')
  }
  if (input.id !== undefined && (typeof input.id !== 'string' || !isValidEventId(input.id))) {
    throw new TypeError('pushwire/server: publish() `id` must be a string of 1 to 256 characters without control characters')
  }
}

/**
 * Creates the hub. Events published in the same turn of the event loop are encoded once,
 * as one payload, and written to every client in one write or frame.
 */
export function createHub(options: HubOptions): Hub {
  const ring = createEventRing(options.bufferSize)
  const clients = new Set<HubClient>()
  let pending = ''
  let flushedSeq = 0
  let flushedId = '0'
  let flushScheduled: ReturnType<typeof setImmediate> | undefined
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined
  let onEmpty: (() => void) | undefined

  function deliver(client: HubClient, payload: Buffer): void {
    // One stuck reader must not grow the server's memory; it resumes from its Last-Event-ID.
    // Judged on what earlier writes left unsent, so one large batch does not cut healthy readers.
    if (client.backlog() > options.maxClientBufferBytes) client.destroy()
    else client.write(payload)
  }

  function flush(): void {
    flushScheduled = undefined
    if (!pending) return
    const payload = Buffer.from(pending)
    pending = ''
    flushedSeq = ring.lastSeq
    flushedId = ring.idAt(flushedSeq)
    clients.forEach((client) => deliver(client, payload))
  }

  function beat(): void {
    clients.forEach((client) => {
      if (client.heartbeat) deliver(client, client.heartbeat)
    })
  }

  function publish(input: PublishInput): string {
    validateInput(input)
    const data = dataText(input.data)
    // Auto ids follow the sequence number, so they stay unique even after custom ids.
    const id = input.id !== undefined ? input.id : String(ring.lastSeq + 1)
    const chunk = encodeEvent({ event: input.event, id, data })
    ring.push(id, chunk)
    pending += chunk
    if (!flushScheduled) flushScheduled = setImmediate(flush)
    return id
  }

  function replay(lastEventId: string | undefined): { text: string; reset: boolean } {
    if (lastEventId === undefined) return { text: '', reset: false }
    const cursor = ring.cursorOf(lastEventId)
    // Events still waiting for the next flush reach this client with it, not here.
    if (cursor !== undefined) return { text: ring.between(cursor, flushedSeq), reset: false }
    return { text: encodeReset(lastEventId) + ring.between(0, flushedSeq), reset: true }
  }

  function add(client: HubClient): () => void {
    clients.add(client)
    if (!heartbeatTimer) heartbeatTimer = setInterval(beat, options.heartbeatMs)
    return function remove() {
      if (!clients.delete(client)) return
      if (clients.size > 0) return
      clearInterval(heartbeatTimer)
      heartbeatTimer = undefined
      if (onEmpty) onEmpty()
    }
  }

  function disconnectAll(): number {
    const count = clients.size
    clients.forEach((client) => client.destroy())
    return count
  }

  function close(graceMs: number): Promise<void> {
    if (flushScheduled) clearImmediate(flushScheduled)
    flush()
    if (clients.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const grace = setTimeout(() => clients.forEach((client) => client.destroy()), graceMs)
      onEmpty = () => {
        clearTimeout(grace)
        onEmpty = undefined
        resolve()
      }
      clients.forEach((client) => client.end())
    })
  }

  return {
    publish,
    replay,
    headId: () => flushedId,
    add,
    get size() {
      return clients.size
    },
    disconnectAll,
    close,
  }
}
