import type { HEARTBEAT_TYPE, RESET_TYPE } from './constants'
import type { PushError } from './errors'

/**
 * The built-in transports, in the default preference order: fetch-sse first because it sees
 * everything (status codes, `retry:`, comments, every event type, size bounds); native
 * EventSource where fetch streams are missing; then WebSocket, and long-poll, which works
 * through any proxy and on the oldest browsers.
 */
export const TRANSPORT_NAMES = ['fetch-sse', 'eventsource', 'websocket', 'long-poll'] as const

/** Name of a built-in transport. */
export type TransportName = (typeof TRANSPORT_NAMES)[number]

/** Lifecycle state of a {@link PushClient}. */
export type PushState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/** What went wrong, as reported in {@link PushStatus.error}. */
export type PushErrorCode =
  | 'network'
  | 'http'
  | 'auth'
  | 'protocol'
  | 'too-large'
  | 'heartbeat'
  | 'closed-by-server'

/** Event types the SDK reserves for itself. */
export type ReservedEventType = typeof HEARTBEAT_TYPE | typeof RESET_TYPE

/**
 * The default event map: any event type, with `unknown` data. Declare your own (an
 * `interface` or a `type`) to have `client.on('dish', m => m.data)` typed; the generics take
 * any object type, since an interface has no index signature and would not fit this one.
 *
 * @example
 * interface DishEvents { dish: { name: string; sales: number }; message: string }
 * const client = createPushClient<DishEvents>({ url: '/stream', decode: 'json' })
 */
export type EventMap = Record<string, unknown>

/** Event types a listener can subscribe to on a client with event map `E`. */
export type EventType<E extends object> = Extract<keyof E, string> | 'message' | typeof RESET_TYPE

/** Decoded data of event type `K` under event map `E`. */
export type EventData<E extends object, K extends string> = K extends keyof E ? E[K] : unknown

/** One server event as delivered to listeners. */
export interface PushMessage<T = unknown, K extends string = string> {
  /** The event's `event:` field, or `'message'` when it had none. */
  type: K
  /** The event's `data`, decoded by the `decode` option. */
  data: T
  /** The event's `id:` field, when it had one. */
  id?: string
  /** The transport that carried the event. */
  transport: string
  /** `Date.now()` when the event was delivered. */
  receivedAt: number
}

/** A message of any type declared in `E`, as seen by a `'*'` listener. */
export type AnyPushMessage<E extends object> = {
  [K in EventType<E>]: PushMessage<EventData<E, K>, K>
}[EventType<E>]

/** A snapshot of the client's lifecycle, passed to `onStatus` listeners. */
export interface PushStatus {
  state: PushState
  /** The transport in use (or last tried), or `null` before the first connect. */
  transport: string | null
  /** Consecutive failed attempts since the last stable connection. */
  attempt: number
  /** When `state` is `'reconnecting'`: how long the client waits before the next attempt. */
  delayMs?: number
  /** The fault that caused this status, if any. */
  error?: PushError
}

/** Backoff settings for reconnection. */
export interface RetryOptions {
  /** Delay before the first retry, unless the server's `retry:` field set another. @default 1000 */
  initialDelayMs?: number
  /** Upper bound of any backoff delay. @default 30000 */
  maxDelayMs?: number
  /** Multiplier per consecutive failure. @default 2 */
  factor?: number
  /** Fraction of the delay that is randomised (0 = none, 1 = full). @default 0.5 */
  jitter?: number
  /** Reconnection attempts in a row: when the last of them fails too, the client closes for good. @default Infinity */
  maxAttempts?: number
}

/** A value given directly, or by a function (possibly async) evaluated before every connect. */
export type Resolvable<T> = T | (() => T | Promise<T>)

/** How event data is decoded before it reaches listeners. */
export type Decode = 'text' | 'json' | ((data: string, type: string) => unknown)

/** One message read from a WebSocket frame by a `websocketFormat` function. */
export interface WebSocketMessage {
  /** The event type listeners subscribe to. @default 'message' */
  type?: string
  /** The message's data, as listeners receive it: `decode` is not applied. */
  data: unknown
  /** The message's id: the resume point sent on reconnect, and deduped like any id. */
  id?: string
}

/**
 * How the WebSocket transport reads a frame: `'sse'` (whole SSE events, as `pushwire/server`
 * sends them), `'text'` (the frame is the data of one `'message'` event), or a function that
 * returns the frame's message, or `null` to skip the frame.
 */
export type WebSocketFormat = 'sse' | 'text' | ((frame: string) => WebSocketMessage | null)

/** Constructors and functions the transports use; by default the globals. */
export interface TransportEnv {
  fetch?: typeof fetch
  WebSocket?: typeof WebSocket
  EventSource?: typeof EventSource
  XMLHttpRequest?: typeof XMLHttpRequest
}

/** Options of {@link createPushClient}. */
export interface PushClientOptions extends TransportEnv {
  /** http(s) URL of the stream; relative URLs resolve against `location`. */
  url: string
  /**
   * Transports in order of preference: built-in names or custom {@link Transport} objects.
   * The default puts fetch-sse first, since it sees HTTP statuses, `retry:`, comments and every
   * event type; native EventSource serves browsers without fetch streams. Pass a shorter list
   * to rule a transport out (say, `websocket` behind a proxy that blocks upgrades).
   * @default ['fetch-sse', 'eventsource', 'websocket', 'long-poll']
   */
  transports?: ReadonlyArray<TransportName | Transport>
  /** URL of the WebSocket endpoint. @default `url` with http→ws, https→wss */
  websocketUrl?: string
  /**
   * Request headers, re-evaluated before every connect. Only `fetch-sse` and `long-poll`
   * can send headers, so when set the client uses only those.
   */
  headers?: Resolvable<Record<string, string>>
  /** Query parameters added to the URL of every transport, re-evaluated before every connect. */
  query?: Resolvable<Record<string, string>>
  /** Send cookies cross-origin. @default false */
  withCredentials?: boolean
  /** Backoff settings, or `false` to never reconnect. @default { initialDelayMs: 1000, maxDelayMs: 30000, factor: 2, jitter: 0.5, maxAttempts: Infinity } */
  retry?: RetryOptions | false
  /** An open that has not succeeded in this long has failed. @default 10000 */
  connectTimeoutMs?: number
  /** No byte for this long (comments count) and the connection is reopened. @default 45000 */
  heartbeatTimeoutMs?: number
  /** Resume point for the first connect. */
  lastEventId?: string
  /** Query parameter that carries the resume point where a header cannot. @default 'lastEventId' */
  lastEventIdParam?: string
  /** Consecutive failed opens of one transport before the next one is tried. @default 2 */
  fallbackAfter?: number
  /** Close while the page is hidden and resume when it is visible again. @default false */
  pauseWhenHidden?: boolean
  /** An event or line longer than this is a `too-large` error and the connection is reopened. @default 1048576 */
  maxMessageBytes?: number
  /** Decoding of every event's data. @default 'text' */
  decode?: Decode
  /** Do not connect until `connect()` is called. @default false */
  lazy?: boolean
  /**
   * How a WebSocket frame becomes messages. Keep `'sse'` for `pushwire/server` and any server
   * that sends SSE text in its frames: ids, types and `retry:` all work, and a frame that is
   * not whole SSE events is a `protocol` error. Set `'text'` for a server that sends plain
   * text or JSON (each frame is one `'message'` event, then `decode`: `decode: 'json'` reads
   * JSON frames); such frames carry no ids, so nothing resumes after a reconnect. Pass a
   * function for a server with its own envelope, above all one that numbers its messages:
   * the `id` it returns is the resume point and is deduped. A function that throws is a
   * `protocol` error for that frame alone. Binary frames are read as UTF-8 text. With
   * `'text'` or a function the upgrade counts as the open (such servers send nothing first),
   * and the heartbeat watchdog waits for a `'pushwire:heartbeat'` message before it arms.
   * @default 'sse'
   * @example
   * // A server that sends `{"seq": 41, "kind": "dish", "body": {...}}` and resumes from `?lastEventId=41`:
   * websocketFormat: (frame) => {
   *   const { seq, kind, body } = JSON.parse(frame)
   *   return { type: kind, data: body, id: String(seq) }
   * }
   */
  websocketFormat?: WebSocketFormat
  /**
   * WebSocket subprotocols, passed to `new WebSocket(url, protocols)`: for a server that
   * requires one (`graphql-ws`, `mqtt`…), or to carry a token where a WebSocket cannot send
   * headers, as some servers expect (`['access_token', token]`). Read when the client is made.
   */
  websocketProtocols?: string | string[]
}

/** Unsubscribes the listener it was returned for. */
export type Unsubscribe = () => void

/** The client returned by {@link createPushClient}. */
export interface PushClient<E extends object = EventMap> {
  /** Listens to server events of one type; `'*'` listens to all of them. */
  on<K extends EventType<E>>(type: K, listener: (message: PushMessage<EventData<E, K>, K>) => void): Unsubscribe
  on(type: '*', listener: (message: AnyPushMessage<E>) => void): Unsubscribe
  on(type: string, listener: (message: PushMessage) => void): Unsubscribe
  /**
   * Listens to lifecycle changes and errors. A listener added in the task that made the
   * client sees every status from the first `'connecting'` on: the statuses of that task are
   * delivered in a microtask.
   */
  onStatus(listener: (status: PushStatus) => void): Unsubscribe
  /** Current lifecycle state. */
  readonly state: PushState
  /** Name of the transport in use, or `null`. */
  readonly transport: string | null
  /** Id of the last event delivered (the resume point). */
  readonly lastEventId: string | undefined
  /** The latest status: the one `onStatus` listeners got last, or get next in this task. */
  readonly status: PushStatus
  /** Opens the connection (after `lazy: true`, or to reopen after `close()`). */
  connect(): void
  /** Closes for good: no timer, listener or socket is left behind. */
  close(): void
  /** Sends data upstream: a WebSocket frame, or an HTTP POST to `url`. */
  send(data: string | object): Promise<void>
  /** Yields every event until `close()`. */
  [Symbol.asyncIterator](): AsyncIterator<AnyPushMessage<E>>
}

/** What the client asks a transport to open. */
export interface TransportRequest {
  /** Stream URL with `query` applied, without the resume parameter. */
  url: string
  /** WebSocket URL with `query` applied, without the resume parameter. */
  websocketUrl: string
  /** Resume point at the moment of the call; changes as events are delivered. */
  lastEventId(): string | undefined
  /** Name of the query parameter that carries the resume point. */
  lastEventIdParam: string
  /** Headers evaluated for this connect (empty object when none). */
  headers: Record<string, string>
  withCredentials: boolean
  maxMessageBytes: number
  /** Event types somebody listens to (native EventSource dispatches only those). */
  eventTypes: readonly string[]
  /** How the WebSocket transport reads a frame (the `websocketFormat` option). */
  websocketFormat: WebSocketFormat
  /** The `websocketProtocols` option. */
  websocketProtocols?: string | string[]
  env: TransportEnv
}

/**
 * How a transport reports what happens on its connection. Calls after `close()` are ignored.
 * The methods do not use `this`, so a transport may pass them on detached.
 */
export interface TransportSink {
  /**
   * The open succeeded (first byte, or the transport's own success signal). `seesComments`
   * overrides {@link Transport.seesComments} for this connection.
   */
  open(seesComments?: boolean): void
  /** Bytes arrived (comments included); feeds the heartbeat watchdog. */
  activity(): void
  /**
   * A complete event arrived: its `event:` field (`'message'` when it had none), its data,
   * and its `id:` field when it had one. Fields, not an object: nothing is allocated per event.
   */
  event(type: string, data: string, id?: string): void
  /** A message whose data is decoded already: delivered as `event` would be, without `decode`. */
  message(type: string, data: unknown, id?: string): void
  /** Something arrived that could not be read and was dropped; the connection goes on. */
  dropped(error: PushError): void
  /** The server's `retry:` field. */
  retry(ms: number): void
  /** The connection failed or ended; it is dead and will not report again. */
  fail(error: PushError): void
}

/** A connection opened by a transport. */
export interface TransportConnection {
  /** Closes the connection; no callback is made afterwards. */
  close(): void
  /** Sends a frame upstream, when the transport has its own channel (WebSocket). */
  send?(data: string): void
  /** Whether `send` can be used right now. */
  canSend?(): boolean
  /** A listener was added for a new event type (native EventSource must register it). */
  listen?(type: string): void
}

/** Context given to {@link Transport.isSupported}. */
export interface TransportSupportContext {
  env: TransportEnv
  /** Whether the `headers` option is set (transports that cannot send headers must decline). */
  hasHeaders: boolean
}

/**
 * One way of carrying the stream. The client owns retry, resume, dedupe, decoding and
 * heartbeats; a transport only opens, reports what arrives, and closes.
 */
export interface Transport {
  readonly name: string
  /**
   * `false` when comment lines never reach the transport (native EventSource): the
   * heartbeat watchdog then waits for the first `pushwire:heartbeat` event before it arms.
   * @default true
   */
  readonly seesComments?: boolean
  isSupported(context: TransportSupportContext): boolean
  open(request: TransportRequest, sink: TransportSink): TransportConnection
}
