/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** Port to listen on; 0 picks a free one. @default 8088 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /** How often a batch of simulated orders is published, in ms. @default 1000 */
  tickMs?: number
  /** Source of randomness for the order simulator. @default Math.random */
  random?: () => number
  /** Keep events in Redis streams at this URL, so that several demo processes serve one dashboard. @default none: in memory */
  redisUrl?: string
  /** Whether this process publishes the simulated orders (with Redis, one process does). @default true */
  publishOrders?: boolean
  /** How long `GET /api/start` waits for Redis before it answers 503 (the page then starts live, without history), in ms. @default 2000 */
  startTimeoutMs?: number
}

/** A running demo. */
export interface RunningDemo {
  /** Base URL of the dashboard, ending in '/'. */
  url: string
  port: number
  /** Stops publishing, ends every push connection, then closes the HTTP server; idempotent. */
  close(): Promise<void>
}

export declare const DISH_STREAM_PATH: '/stream'
export declare const CHAT_STREAM_PATH: '/chat/stream'

/** Starts the dish dashboard demo (pages, dish stream, chat, `GET /api/start`, `POST /api/drop`). */
export declare function startDemo(options?: DemoOptions): Promise<RunningDemo>
