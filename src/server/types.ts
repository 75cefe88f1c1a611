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

/** Options of {@link createPushServer}. */
export interface PushServerOptions {
  /** Events kept in memory for resuming clients. @default 1000 */
  bufferSize?: number
  /** Interval of heartbeats on open SSE and WebSocket connections, in ms. @default 15000 */
  heartbeatMs?: number
  /** How long a long-poll request is held when there is nothing to send, in ms. @default 25000 */
  pollTimeoutMs?: number
  /** Unsent bytes a client may have queued before it is disconnected (it will resume). @default 1048576 */
  maxClientBufferBytes?: number
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
  /** Explicit event id; by default the server numbers events "1", "2", … */
  id?: string
}

/** The reference server returned by {@link createPushServer}. */
export interface PushServer {
  /** Sends an event to every connected client and keeps it for resuming ones; returns its id. */
  publish(input: PublishInput): string
  /** Request handler for node:http (`createServer(push.handler)`) and Express (`app.all('/stream', push.handler)`). */
  handler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void
  /** Serves WebSocket upgrades on `server` (needs the optional peer dependency `ws`). */
  attach(server: Server): void
  /** Open SSE and WebSocket connections plus long-poll requests being held right now. */
  readonly clientCount: number
  /** Drops every live connection abruptly (clients reconnect and resume); returns how many. */
  disconnectAll(): number
  /** Ends every connection cleanly, stops timers and detaches from servers; idempotent. */
  close(): Promise<void>
}
