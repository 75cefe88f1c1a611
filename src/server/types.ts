import type { IncomingMessage, Server, ServerResponse } from 'node:http'

/** Where a message sent by a client came from, as passed to {@link PushServerOptions.onMessage}. */
export interface IncomingMessageInfo {
  /** `'websocket'` for a text frame, `'http'` for a POST. */
  transport: 'websocket' | 'http'
  /** The HTTP request (for a WebSocket: the upgrade request). */
  req: IncomingMessage
}

/**
 * Cross-origin settings; without them no CORS header is sent, and WebSocket upgrades and POSTs
 * are accepted only from the server's own origin (or from clients that send no `Origin`).
 */
export interface PushServerCors {
  /**
   * Origins allowed to read the stream: `'*'` (any, only without credentials), one origin,
   * a list of origins, or a predicate. An allowed origin is echoed back with `Vary: Origin`.
   * Origins named here (listed, or the predicate returns `true`; it is also asked about
   * `'null'`) may also open WebSockets and POST; `'*'` lets other origins read a stream only,
   * since browsers send both of those with cookies and without asking CORS.
   */
  origin: string | string[] | ((origin: string) => boolean)
  /** Allow cookies (`Access-Control-Allow-Credentials: true`); never together with `'*'`. @default false */
  credentials?: boolean
}

/**
 * Where events are kept and how they reach the other server processes: made by
 * `memoryAdapter()` or `redisStreamsAdapter()`, one per push server. Its workings are internal.
 */
export interface PushAdapter {
  /** `'memory'` or `'redis-streams'`. */
  readonly name: string
}

/** Options of `memoryAdapter()`. */
export interface MemoryAdapterOptions {
  /** Events kept in memory for resuming clients (a ring buffer; the oldest is dropped). @default 1000 */
  bufferSize?: number
}

/**
 * The part of a node-redis client (the `redis` package, v5 or newer) that the Redis adapter
 * uses. A client made by `createClient()` fits.
 */
export interface RedisClientLike {
  /** Whether the client is connecting or connected (not closed). */
  readonly isOpen: boolean
  /** Whether commands can be sent right now. */
  readonly isReady: boolean
  connect(): Promise<unknown>
  /** The options it was made with; the adapter's reader connection keeps their `socket` settings. */
  readonly options?: { socket?: object }
  /** A new client with the same options; the adapter reads the stream on one of these. */
  duplicate(overrides?: object): RedisClientLike
  sendCommand(args: string[]): Promise<unknown>
  on(event: string, listener: (...args: any[]) => void): unknown
  close(): Promise<unknown>
  destroy(): void
}

/** Options of `redisStreamsAdapter()`. */
export interface RedisStreamsAdapterOptions {
  /** Where Redis is, as `createClient({ url })` takes it; not together with `client`. @default 'redis://localhost:6379' */
  url?: string
  /**
   * Your own node-redis client for storing and reading events; not together with `url`. The
   * adapter connects it if it is not open yet and never closes it; it reads the stream on a
   * `client.duplicate()` of its own, which it does close. A connection of the adapter's own
   * that leaves a command unanswered past `commandTimeoutMs` is made anew; yours is not, so
   * give it `socket.socketTimeout`, a `socket.reconnectStrategy` that reconnects after a socket
   * timeout (node-redis's default does not) and a `pingInterval` shorter than the timeout:
   * else a half-open connection fails every publish and replay on this process until the
   * kernel gives up on it (many minutes), or for good behind a proxy.
   */
  client?: RedisClientLike
  /** The Redis key of the stream. @default 'pushwire' */
  stream?: string
  /** Events the stream keeps, at least (`XADD … MAXLEN ~`; Redis trims whole blocks, so a few more stay). @default 1000 */
  maxLen?: number
  /**
   * How long a publish or a history read waits for Redis to answer, in ms. A Redis that
   * accepts connections but does not answer (stopped, stuck, or behind a network that drops
   * everything) would otherwise hold every `publish()` for good; past this the publish
   * rejects, and so do all others at once until Redis answers again (the adapter's own
   * connection is then made anew at once: see `client`). A rejected publish that
   * Redis had received may still be stored and delivered if Redis was only slow. The stream
   * reader's connection is made anew when it hears nothing for 5 s (its block time) plus this.
   * @default 5000
   */
  commandTimeoutMs?: number
}

/** Options of {@link createPushServer}. */
export interface PushServerOptions {
  /**
   * Where events are kept and how they reach other processes: `memoryAdapter()` (this process
   * only) or `redisStreamsAdapter()` (every process sharing one Redis stream).
   * @default memoryAdapter({ bufferSize })
   */
  adapter?: PushAdapter
  /** Shorthand for `adapter: memoryAdapter({ bufferSize })`; not together with `adapter`. @default 1000 */
  bufferSize?: number
  /** Interval of heartbeats on open SSE and WebSocket connections, in ms. @default 15000 */
  heartbeatMs?: number
  /** How long a long-poll request is held when there is nothing to send, in ms. @default 25000 */
  pollTimeoutMs?: number
  /**
   * Unsent bytes a client may have queued before it is disconnected (it will resume); this
   * covers its replay and the live events held back while the replay is written. @default 1048576
   */
  maxClientBufferBytes?: number
  /**
   * How long one write may wait for a client to take it — a piece of its replay, or a long-poll
   * answer — before the connection is dropped, in ms. @default 30000
   */
  writeTimeoutMs?: number
  /** Largest POST body or incoming WebSocket frame, in bytes; larger POSTs get 413. @default 65536 */
  maxBodyBytes?: number
  /** When set, sent as the SSE `retry:` field (the client's reconnection base delay) on every connection. */
  retryMs?: number
  /** Cross-origin settings. @default none (no CORS headers) */
  cors?: PushServerCors
  /**
   * Decides whether a request may connect or send; `false` answers 401 (SSE, long-poll, POST,
   * WebSocket upgrade). A throw or rejection answers 500 (or goes to Express's `next`).
   * WebSocket upgrades never pass Express (or other) middleware: this is the only auth they get.
   */
  authorize?: (req: IncomingMessage) => boolean | Promise<boolean>
  /**
   * Receives what clients send: WebSocket text frames and POST bodies. Without it POSTs get
   * 405 and WebSocket frames are ignored. A returned promise is awaited before a POST is answered.
   */
  onMessage?: (data: string, info: IncomingMessageInfo) => void | Promise<void>
  /**
   * `attach()` upgrades only requests to this pathname (e.g. `'/stream'`). Set it: without it
   * every upgrade on the HTTP server reaches this push server, whatever its path.
   * @default any path
   */
  path?: string
  /**
   * The server runs behind a proxy (load balancer, TLS terminator): judge "the server's own
   * origin" by the host and scheme the proxy reports (`Forwarded`, else `X-Forwarded-Host` /
   * `X-Forwarded-Proto`, the leftmost value of each) instead of `Host` and the connection.
   * Only for a proxy that sets these headers itself on every request.
   * @default false
   */
  trustProxy?: boolean
}

/** An event to publish. */
export interface PublishInput {
  /** The SSE `event:` field; absent means a `'message'` event. */
  event?: string
  /** Strings are sent as they are (multi-line strings become several `data:` lines); anything else as JSON. */
  data: unknown
  /**
   * Explicit event id. By default the memory adapter numbers events "1", "2", … and Redis
   * assigns stream entry ids; with the Redis adapter an explicit id must be a stream entry id
   * (`'<ms>-<seq>'`) greater than the newest.
   */
  id?: string
}

/** The reference server returned by {@link createPushServer}. */
export interface PushServer {
  /**
   * Stores an event, then sends it to every connected client (of every process sharing the
   * adapter); resolves with its id once stored. Rejects when it was not stored: invalid input
   * (`TypeError`), the store unreachable (Redis down), or after `close()` has finished; and when
   * Redis did not answer within `commandTimeoutMs` (then it may still be stored).
   */
  publish(input: PublishInput): Promise<string>
  /** Request handler for node:http (`createServer(push.handler)`) and Express (`app.all('/stream', push.handler)`). */
  handler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void
  /** Serves WebSocket upgrades on `server` (needs the optional peer dependency `ws`). */
  attach(server: Server): void
  /** Open SSE and WebSocket connections plus long-poll requests being held right now, on this process. */
  readonly clientCount: number
  /** Drops every live connection abruptly (clients reconnect and resume); returns how many. */
  disconnectAll(): number
  /** Ends every connection cleanly, stops timers, detaches from servers and closes the adapter; idempotent. */
  close(): Promise<void>
}
