import type { PushAdapter } from '../types'

/** An event as an adapter hands it to the hub: its id and its SSE encoding. */
export interface StoredEvent {
  readonly id: string
  /** The complete SSE text of the event, `id:` field included. */
  readonly chunk: string
  /** Bytes of `chunk` in UTF-8, as written: counted once, where the event is encoded. */
  readonly bytes: number
}

/** What `publish()` stores, validated: `data` is already text. */
export interface EventInput {
  event?: string
  data: string
  id?: string
}

/** Where an adapter delivers what it learns, in stream order. */
export interface AdapterSink {
  /** Stored events, from this process or another, each once and in stream order. */
  deliver(events: StoredEvent[]): void
  /**
   * Stored events were lost (Redis came back empty, or this process fell further behind than
   * the stream keeps): every client must be told with `pushwire:reset`. The stream goes on
   * after `headId`.
   */
  reset(headId: string): void
}

/** What the server hands its adapter when it starts. */
export interface AdapterSettings {
  sink: AdapterSink
  /** History pages hold at most this many bytes (half of `maxClientBufferBytes` at most), or one event that is larger. */
  pageBytes: number
}

/** What a client resuming after an id gets, read page by page. */
export interface History {
  /** The resume point was unknown, malformed or too old: `pushwire:reset` precedes the pages, which then hold the whole history. */
  reset: boolean
  /**
   * Set when the resume point is newer than `until`: another process delivered it before this
   * one did. The live events up to and including this id must not be sent to the client again.
   */
  skipThrough: string | undefined
  /** Id of the newest event the pages can reach (the cursor sent after a reset with nothing to replay). */
  untilId: string
  /** The next page of encoded events, `undefined` after the last; rejects when the rest was evicted meanwhile. */
  next(): Promise<string | undefined>
}

/**
 * The inside of a {@link PushAdapter}: where events are kept, how a process learns of
 * events stored by others, and how a resume reads the history.
 */
export interface Adapter extends PushAdapter {
  /** Starts delivering to `settings.sink`; throws when the adapter already serves another push server. */
  start(settings: AdapterSettings): void
  /** Id of the newest event stored before this process delivered any; `undefined` until known. */
  initialHeadId(): string | undefined
  /** Resolves once `initialHeadId()` is known: clients can be told where they start. */
  whenStarted(): Promise<void>
  /** Stores an event; resolves with its id once stored (it reaches the sink afterwards, in order). */
  append(event: EventInput): Promise<string>
  /**
   * The events after `afterId`, up to and including `until` (an event the sink delivered, or
   * `undefined` for the initial head).
   */
  history(afterId: string, until: StoredEvent | undefined): Promise<History>
  /** Stops delivering and releases what the adapter holds (connections, timers); idempotent. */
  close(): Promise<void>
}

const METHODS = ['start', 'initialHeadId', 'whenStarted', 'append', 'history', 'close'] as const

/** Whether `value` was made by one of the adapter factories. */
export function isAdapter(value: unknown): value is Adapter {
  if (value === null || typeof value !== 'object') return false
  const candidate = value as Record<string, unknown>
  return typeof candidate.name === 'string' && METHODS.every((method) => typeof candidate[method] === 'function')
}

/** Throws when an adapter that is already started is handed to a second push server. */
export function claimOnce(name: string): () => void {
  let claimed = false
  return function claim() {
    if (claimed) {
      throw new TypeError(`pushwire/server: this ${name} adapter already serves a push server; create one adapter per createPushServer()`)
    }
    claimed = true
  }
}

/** Why a publish after `close()` was not stored. */
export function closedError(): Error {
  return new Error('pushwire/server: publish() after close(): the event was not stored')
}
