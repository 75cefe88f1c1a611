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

/** A tab's part in a shared connection: the leader holds it, followers get it relayed. */
export type ShareRole = 'leader' | 'follower'

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
  /** With `share`: whether this tab holds the shared connection or follows it. */
  role?: ShareRole
}

/**
 * How the client waits between reconnection attempts: exponentially longer after each failure
 * in a row, capped, and randomised so that the clients a server restart dropped together do not
 * all come back together. The defaults suit a public server; see docs/reconnection.md. No
 * delay is ever shorter than 250 ms, and that floor grows with consecutive failures too,
 * whatever these say or the server sends (`retry:`, `Retry-After`): no server can drive the
 * client into a hot loop.
 */
export interface RetryOptions {
  /**
   * The wait before the first retry, and the base the later ones grow from. A `retry:` line
   * from the server replaces it, so a server can slow its clients down without a new build.
   * @default 1000
   */
  initialDelayMs?: number
  /**
   * No wait is longer than this. Lower it for a dashboard on a LAN that must come back fast;
   * raise it for many clients of a server that should not be hammered while it is down.
   * @default 30000
   */
  maxDelayMs?: number
  /**
   * How much longer each wait is than the one before (2: 1 s, 2 s, 4 s, …). 1 waits the same
   * every time.
   * @default 2
   */
  factor?: number
  /**
   * The part of each wait that is random, taken off (never added): 0.5 waits between half and
   * all of the delay. 0 makes waits exact (tests); keep some for real traffic.
   * @default 0.5
   */
  jitter?: number
  /**
   * Reconnection attempts in a row; when the last of them fails too, the client closes with
   * that error. Set it when a stream that stays down should show an error in the UI rather
   * than a spinner; a stable connection starts the count over.
   * @default Infinity
   */
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

/**
 * A WebSocket class: the browser's, or one constructed the same way, such as the `ws`
 * package's in Node (whose types are not the DOM's, so `typeof WebSocket` would refuse it).
 */
export type WebSocketConstructor = typeof WebSocket | (new (url: string, protocols?: string | string[]) => object)

/**
 * Constructors and functions the transports use instead of the globals: for Node (pass
 * `WebSocket` from the `ws` package), for tests (fakes), or for a polyfill you do not want to
 * install globally. Read when `connect()` runs, never at import.
 * @default the globals of the page, worker or Node
 */
export interface TransportEnv {
  fetch?: typeof fetch
  WebSocket?: WebSocketConstructor
  EventSource?: typeof EventSource
  XMLHttpRequest?: typeof XMLHttpRequest
}

/** Options of {@link createPushClient}: everything but `url` has a default that suits most apps. */
export interface PushClientOptions extends TransportEnv {
  /**
   * The stream: an http(s) URL, or a path resolved against the page's (or worker's)
   * `location`. Use a path and serve the stream from the page's origin (in development through
   * the dev server's proxy): no CORS, and cookies just work. Every transport uses it (WebSocket
   * through `websocketUrl`), and `send()` POSTs to it.
   */
  url: string
  /**
   * The transports to try, in order: built-in names or your own {@link Transport} objects.
   * The client skips those that cannot work here (a missing global, `headers` set) and moves to
   * the next after `fallbackAfter` failed opens. The default puts fetch-sse first, since it sees
   * everything (HTTP statuses, `retry:`, comments, every event type, size bounds); native
   * EventSource serves browsers without fetch streams. Pass a shorter list to rule a transport
   * out, say `websocket` when you know a proxy blocks upgrades, or to pin one in a test.
   * @default ['fetch-sse', 'eventsource', 'websocket', 'long-poll']
   */
  transports?: ReadonlyArray<TransportName | Transport>
  /**
   * Where the WebSocket transport connects, when that is not the stream's URL: another host or
   * path for upgrades (an http(s) URL is turned into ws(s)).
   * @default `url` with http→ws, https→wss
   */
  websocketUrl?: string
  /**
   * Request headers (an `Authorization` bearer token, say), or a function, possibly async,
   * that returns them: it runs before every connect, so it can hand out a fresh token each
   * time, and once more after a 401/403. Only fetch-sse and long-poll can send headers, so
   * with `headers` set the client uses only those; use `query` or cookies to keep the others.
   * Cross-origin, each header needs the server's CORS approval (a preflight). They never reach
   * another origin: while they are set, no redirect is followed (an `http` error instead).
   */
  headers?: Resolvable<Record<string, string>>
  /**
   * Query parameters added to the URL of every transport, or a function, possibly async, that
   * returns them before every connect. The way to authenticate native EventSource and
   * WebSocket, which cannot send headers: a short-lived token in the query.
   */
  query?: Resolvable<Record<string, string>>
  /**
   * Sends cookies (and HTTP auth) with cross-origin requests: set it when the stream is on
   * another origin and authenticates by cookie; the server must answer with
   * `Access-Control-Allow-Credentials: true` and an explicit origin. Same-origin requests send
   * cookies anyway.
   * @default false
   */
  withCredentials?: boolean
  /**
   * How long to wait between reconnection attempts ({@link RetryOptions}), or `false` to never
   * reconnect after a failure (a 401/403 still gets its one retry with fresh `headers`).
   * @default { initialDelayMs: 1000, maxDelayMs: 30000, factor: 2, jitter: 0.5, maxAttempts: Infinity }
   */
  retry?: RetryOptions | false
  /**
   * An open that has not succeeded in this long (no first byte of the stream; see
   * docs/reconnection.md) has failed, and counts towards `fallbackAfter`. A proxy that buffers
   * responses looks like this: the request is answered, then nothing comes. Lower it to fall
   * back sooner on such networks; a slow `headers()` or `query()` counts against it too.
   * @default 10000
   */
  connectTimeoutMs?: number
  /**
   * No byte at all (comments count) for this long, and the connection is taken for dead and
   * reopened: a connection that a sleeping laptop or a NAT dropped without a word. Keep it
   * above the server's heartbeat interval (`pushwire/server`: 15 s) with room for delays.
   * @default 45000
   */
  heartbeatTimeoutMs?: number
  /**
   * Where the first connect resumes from: the id of the last event already applied, say from
   * a snapshot the app loaded first, or `client.lastEventId` of a client you replace. The
   * server then replays what came after it. Without it a new client gets only new events.
   * At most 1,024 characters, the bound of every id the client resumes from.
   */
  lastEventId?: string
  /**
   * The query parameter that carries the resume point where no `Last-Event-ID` header can
   * (native EventSource, WebSocket, long-poll). Change it only for a server that expects
   * another name.
   * @default 'lastEventId'
   */
  lastEventIdParam?: string
  /**
   * Failed opens in a row of one transport before the client tries the next (which later
   * clients on the url then start with, for 30 minutes). 1 falls back at the first failure:
   * fast behind a proxy that blocks a transport, but one hiccup of the server moves clients off
   * their first transport too. Higher values are more patient with a flaky network.
   * @default 2
   */
  fallbackAfter?: number
  /**
   * Closes the connection while the page is hidden (a background tab, a minimised window) and
   * resumes from the last event when it is visible again: saves server connections and battery
   * for data nobody is looking at. Leave it off when events must be handled in the background
   * (notifications, a sound).
   * @default false
   */
  pauseWhenHidden?: boolean
  /**
   * The largest event (or line) the client accepts, in UTF-16 units; a larger one is a
   * `too-large` error and the connection is reopened, so a runaway server cannot fill the
   * page's memory. Raise it if your events are legitimately bigger than 1 MiB.
   * @default 1048576
   */
  maxMessageBytes?: number
  /**
   * What listeners get as `msg.data`: the text as sent (`'text'`), `JSON.parse` of it
   * (`'json'`), or your function of the text and the event type (a reviver, a schema check).
   * An event that fails to decode is dropped and reported as a `protocol` error; the stream
   * goes on.
   * @default 'text'
   */
  decode?: Decode
  /**
   * Makes the client but waits for `connect()`: for a client made early (at module scope, in a
   * store) whose connection should open only once the app is ready, say after a login.
   * @default false
   */
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
  /**
   * `shareAcrossTabs()`: one connection for the tabs (windows, iframes, workers) of this origin
   * whose clients have the same key, for an app that users open in many tabs: no seventh-tab
   * hang under HTTP/1.1, one connection per user on the server. One tab leads and relays to
   * the others; another takes over when it goes. Unset, each client has its own connection.
   * Tabs that must not share one (another user, other headers) use another `key`.
   */
  share?: TabShare
}

/** Options of `shareAcrossTabs()`. */
export interface ShareAcrossTabsOptions {
  /**
   * Clients with the same key share a connection; by default the key is the client's
   * resolved `url`. A key of its own keeps a client's connection apart (see `share`).
   */
  key?: string
}

/** The value of the `share` option, made by `shareAcrossTabs()`: it makes the client for `createPushClient`. */
export type TabShare = <E extends object>(options: PushClientOptions) => PushClient<E>

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
  /**
   * Bytes arrived (comments included); feeds the heartbeat watchdog. Before `open`, it says
   * the response has begun (its headers came): an open that then times out is taken for a held
   * stream (a buffering proxy), and the transports blind to bytes are passed over.
   */
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
   * heartbeat watchdog then waits for the first `pushwire:heartbeat` event before it arms,
   * and once another transport saw a held stream (headers, then not a byte until the connect
   * timeout: a buffering proxy), the fallback passes this one over until the next `connect()`.
   * @default true
   */
  readonly seesComments?: boolean
  isSupported(context: TransportSupportContext): boolean
  open(request: TransportRequest, sink: TransportSink): TransportConnection
}
