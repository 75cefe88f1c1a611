import { createServer } from 'node:http'
import { createPushServer, memoryAdapter, redisStreamsAdapter } from '../dist/server.mjs'
import { createChatServer } from './chat-server.mjs'
import { createHistoryStart } from './history-start.mjs'
import { createOrderSimulator } from './orders.mjs'
import { serveStatic } from './static.mjs'

/** Where the pages connect; the WebSocket transport upgrades on the same paths. */
export const DISH_STREAM_PATH = '/stream'
export const CHAT_STREAM_PATH = '/chat/stream'

/** Ten minutes of dish events at the default tick: enough for a dropped client to resume. */
const DISH_HISTORY = 600
const CHAT_HISTORY = 200
/** Redis stream keys when several demo processes share one Redis. */
const DISH_STREAM = 'pushwire-demo:dishes'
const CHAT_STREAM = 'pushwire-demo:chat'

function pathnameOf(req) {
  return new URL(req.url || '/', 'http://localhost').pathname
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(text)
}

/**
 * Starts the dish dashboard demo: static pages, the dish stream fed by simulated orders,
 * the chat room, `GET /api/stats` (the stream connections the server holds), and
 * `POST /api/drop`, which kills every stream connection server-side.
 *
 * @param {{ port?: number, host?: string, tickMs?: number, random?: () => number, redisUrl?: string, publishOrders?: boolean, startTimeoutMs?: number }} [options]
 *   `port` 0 picks a free port; `tickMs` is how often a batch of orders is published. With
 *   `redisUrl`, events go through Redis streams so that several demo processes serve one
 *   dashboard; `publishOrders: false` makes a process that only serves (one process publishes);
 *   `startTimeoutMs` is how long `GET /api/start` waits for Redis before it answers 503.
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startDemo({ port = 8088, host = '127.0.0.1', tickMs = 1000, random, redisUrl, publishOrders = true, startTimeoutMs = 2000 } = {}) {
  const dishes = createPushServer({
    path: DISH_STREAM_PATH,
    adapter: redisUrl
      ? redisStreamsAdapter({ url: redisUrl, stream: DISH_STREAM, maxLen: DISH_HISTORY })
      : memoryAdapter({ bufferSize: DISH_HISTORY }),
    heartbeatMs: 10000,
    retryMs: 1000,
  })
  const chat = createChatServer({
    path: CHAT_STREAM_PATH,
    adapter: redisUrl ? redisStreamsAdapter({ url: redisUrl, stream: CHAT_STREAM, maxLen: CHAT_HISTORY }) : memoryAdapter({ bufferSize: CHAT_HISTORY }),
  })
  const simulator = createOrderSimulator({ random })
  const historyStart = await createHistoryStart({ redisUrl, stream: DISH_STREAM, timeoutMs: startTimeoutMs })
  let seq = 0

  // Every batch carries its number, so the page can prove that none was lost whatever the ids
  // look like (Redis assigns ids such as "1732000000000-0").
  function publishBatch() {
    seq += 1
    dishes.publish({ event: 'dish', data: { seq, ...simulator.tick(Date.now()) } }).then(historyStart.record, (error) => {
      console.error(`Order batch ${seq} was not published: ${error.message}`)
    })
  }

  async function route(req, res) {
    const pathname = pathnameOf(req)
    if (pathname === DISH_STREAM_PATH) return dishes.handler(req, res)
    if (pathname === CHAT_STREAM_PATH) return chat.handler(req, res)
    if (pathname === '/api/start' && req.method === 'GET') {
      let lastEventId
      try {
        lastEventId = await historyStart.lastEventId()
      } catch (error) {
        // The page then connects without a resume point: live events, no history.
        return sendJson(res, 503, { error: `history unavailable: ${error.message}` })
      }
      return sendJson(res, 200, { lastEventId })
    }
    // How many stream connections the server holds: with `share`, one for all the tabs.
    if (pathname === '/api/stats' && req.method === 'GET') {
      return sendJson(res, 200, { clientCount: dishes.clientCount })
    }
    if (pathname === '/api/drop' && req.method === 'POST') {
      req.resume()
      // A JSON content type cannot be sent cross-site without a CORS preflight, which this
      // server never grants, so other pages cannot press the button for the user.
      if (!/^application\/json\b/.test(req.headers['content-type'] || '')) {
        return sendJson(res, 415, { error: 'send Content-Type: application/json' })
      }
      return sendJson(res, 200, { dropped: dishes.disconnectAll() })
    }
    if (await serveStatic(req, res, pathname)) return
    if (pathname === '/favicon.ico') {
      res.writeHead(204)
      return res.end()
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('Not found\n')
  }

  const httpServer = createServer((req, res) => {
    route(req, res).catch((error) => {
      console.error(error)
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  dishes.attach(httpServer)
  chat.attach(httpServer)

  try {
    await new Promise((resolve, reject) => {
      httpServer.once('error', reject)
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await Promise.all([dishes.close(), chat.close(), historyStart.close()])
    throw error
  }
  let ticker
  if (publishOrders) {
    publishBatch()
    ticker = setInterval(publishBatch, tickMs)
  }

  const address = httpServer.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  let closing

  return {
    url: `http://${host.indexOf(':') === -1 ? host : `[${host}]`}:${actualPort}/`,
    port: actualPort,
    /** Stops the orders, ends every push connection cleanly, then stops the HTTP server. */
    close() {
      if (closing) return closing
      clearInterval(ticker)
      closing = Promise.all([dishes.close(), chat.close(), historyStart.close()]).then(
        () =>
          new Promise((resolve) => {
            httpServer.close(() => resolve())
            // Keep-alive sockets would hold close() open until they time out.
            httpServer.closeAllConnections()
          }),
      )
      return closing
    },
  }
}
