import type { ServerContext } from './context'
import { memoryAdapter } from './adapters/memory'
import type { Adapter } from './adapters/adapter'
import { createCors } from './cors'
import { createHandler } from './handler'
import { createHub } from './hub'
import { resolveServerOptions } from './options'
import type { PushServer, PushServerOptions } from './types'
import { createWebSocketEndpoint } from './websocket'

// How long close() lets clients finish before it drops the connections still open.
const CLOSE_GRACE_MS = 1000

/**
 * Creates the reference push server: one history (in memory, or in a Redis stream shared by
 * every process) served over SSE, long-poll and WebSocket, so a client resumes with its
 * Last-Event-ID on any transport.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { createPushServer } from 'pushwire/server'
 *
 * const push = createPushServer({ path: '/stream', authorize: (req) => isLoggedIn(req) })
 * const http = createServer((req, res) => (req.url?.startsWith('/stream') ? push.handler(req, res) : res.end()))
 * push.attach(http) // WebSocket upgrades on `path`, needs `ws`
 * http.listen(8080)
 * setInterval(() => push.publish({ event: 'tick', data: { at: Date.now() } }).catch(console.error), 1000)
 */
export function createPushServer(options?: PushServerOptions): PushServer {
  const resolved = resolveServerOptions(options)
  const adapter = resolved.adapter || (memoryAdapter({ bufferSize: resolved.bufferSize }) as Adapter)
  let closing: Promise<void> | undefined
  const context: ServerContext = {
    hub: createHub({ adapter, heartbeatMs: resolved.heartbeatMs, maxClientBufferBytes: resolved.maxClientBufferBytes }),
    options: resolved,
    cors: createCors(resolved),
    isClosed: () => closing !== undefined,
  }
  const websocket = createWebSocketEndpoint(context)

  return {
    publish: context.hub.publish,
    handler: createHandler(context),
    attach: websocket.attach,
    get clientCount() {
      return context.hub.size
    },
    disconnectAll: context.hub.disconnectAll,
    close() {
      if (!closing) {
        websocket.detach()
        // Publishes go on while clients wind down (with Redis, other processes deliver them).
        closing = context.hub.close(CLOSE_GRACE_MS).then(adapter.close)
      }
      return closing
    },
  }
}
