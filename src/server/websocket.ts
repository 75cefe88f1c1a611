import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocket, WebSocketServer } from 'ws'
import { noop } from '../constants'
import type { ServerContext } from './context'
import { MAX_FRAME_BYTES, splitAtEvents } from './event-frames'
import { loadWs } from './load-ws'
import { replayThenGoLive } from './replay'
import { isProblem, readLastEventId, requestUrl } from './request'
import { encodeRetry, HEARTBEAT_COMMENT, OPEN_COMMENT } from './sse-encoding'
import { rejectUpgrade } from './upgrade-reply'

const COMMENT_BEAT = Buffer.from(HEARTBEAT_COMMENT)
/** onMessage calls one socket may have unsettled; past it the socket stops reading (TCP backpressure). */
const MAX_PENDING_MESSAGES = 32

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void

// Shared by every push server in the process, so that several of them on one HTTP server
// (different `path`s) can tell an upgrade that none of them serves.
const pushServerListeners = new WeakSet<object>()
const claimedUpgrades = new WeakSet<IncomingMessage>()

/**
 * Whether `listener` should refuse an upgrade outside its `path`: only the last upgrade
 * listener does, only when every listener belongs to a push server and none took the request.
 * Any other listener (a dev server's HMR socket, say) may own the path.
 */
function isUnclaimed(server: Server, listener: UpgradeListener, req: IncomingMessage): boolean {
  const listeners = server.listeners('upgrade')
  return (
    listeners[listeners.length - 1] === listener &&
    listeners.every((each) => pushServerListeners.has(each)) &&
    !claimedUpgrades.has(req)
  )
}

/** WebSocket support of one push server. */
export interface WebSocketEndpoint {
  attach(server: Server): void
  /** Stops listening for upgrades on every attached server. */
  detach(): void
}

/** Creates the WebSocket endpoint; `ws` is loaded on the first `attach()`. */
export function createWebSocketEndpoint(context: ServerContext): WebSocketEndpoint {
  const { hub, options, cors } = context
  const attached: Array<{ server: Server; listener: UpgradeListener }> = []
  let wss: WebSocketServer | undefined

  function openSession(ws: WebSocket, req: IncomingMessage, lastEventId: string | undefined): void {
    ws.send(OPEN_COMMENT + (options.retryMs !== undefined ? encodeRetry(options.retryMs) : ''))
    const client = {
      write(payload: Buffer, written?: (error?: Error | null) => void) {
        if (payload.length <= MAX_FRAME_BYTES) return ws.send(payload, { binary: false }, written)
        const frames = splitAtEvents(payload, MAX_FRAME_BYTES)
        frames.forEach((frame, i) => ws.send(frame, { binary: false }, i === frames.length - 1 ? written : undefined))
      },
      backlog: () => ws.bufferedAmount,
      heartbeat: COMMENT_BEAT,
      end: () => ws.close(1001, 'Server closing'),
      destroy: () => ws.terminate(),
    }
    const membership = hub.join(client, lastEventId !== undefined)
    if (lastEventId !== undefined) replayThenGoLive(hub, client, membership, lastEventId, options.writeTimeoutMs)
    ws.on('close', membership.remove)
    let pendingMessages = 0
    ws.on('message', (data, isBinary) => {
      const { onMessage } = options
      if (!onMessage) return
      if (isBinary) {
        ws.close(1003, 'Only text frames are accepted')
        return
      }
      // A client that sends faster than onMessage settles would otherwise start calls without end.
      if (++pendingMessages >= MAX_PENDING_MESSAGES) ws.pause()
      Promise.resolve(String(data))
        .then((text) => onMessage(text, { transport: 'websocket', req }))
        .catch((error: unknown) => {
          console.error('pushwire/server: onMessage failed:', error)
          ws.close(1011, 'onMessage failed')
        })
        .finally(() => {
          if (--pendingMessages < MAX_PENDING_MESSAGES && ws.isPaused) ws.resume()
        })
    })
  }

  async function upgrade(req: IncomingMessage, url: URL, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', noop)
    if (context.isClosed()) return rejectUpgrade(socket, 503, 'Push server is closed')
    // Browsers apply no CORS to WebSockets: without this check any site could open one with the user's cookies.
    const refused = cors.refuseForeign(req)
    if (refused) return rejectUpgrade(socket, refused.status, refused.message)
    const lastEventId = readLastEventId(req, url)
    if (isProblem(lastEventId)) return rejectUpgrade(socket, lastEventId.status, lastEventId.message)
    if (options.authorize) {
      if (!(await options.authorize(req))) return rejectUpgrade(socket, 401, 'Unauthorized')
      // close() may have run while authorize was pending.
      if (context.isClosed()) return rejectUpgrade(socket, 503, 'Push server is closed')
    }
    if (socket.destroyed || !wss) return
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.removeListener('error', noop)
      // A socket error is followed by 'close'; without a listener it would crash the process.
      ws.on('error', noop)
      // The opening frame waits until the adapter has started, as on SSE.
      const forget = hub.afterStart((started) => {
        if (!started) ws.close(1001, 'Server closing')
        else if (ws.readyState === ws.OPEN) openSession(ws, req, lastEventId)
      })
      ws.on('close', forget)
    })
  }

  function attach(server: Server): void {
    if (attached.some((entry) => entry.server === server)) return
    if (!wss) {
      const { WebSocketServer } = loadWs()
      wss = new WebSocketServer({ noServer: true, maxPayload: options.maxBodyBytes, perMessageDeflate: false, clientTracking: false })
    }
    const listener: UpgradeListener = (req, socket, head) => {
      const url = requestUrl(req)
      if (options.path !== undefined && url.pathname !== options.path) {
        if (isUnclaimed(server, listener, req)) rejectUpgrade(socket, 404, `No WebSocket endpoint at ${url.pathname}`)
        return
      }
      // Before any await: the listeners after this one check it at once.
      claimedUpgrades.add(req)
      upgrade(req, url, socket, head).catch((error: unknown) => {
        console.error('pushwire/server: WebSocket upgrade failed:', error)
        rejectUpgrade(socket, 500, 'Internal server error')
      })
    }
    pushServerListeners.add(listener)
    server.on('upgrade', listener)
    attached.push({ server, listener })
  }

  function detach(): void {
    attached.forEach((entry) => entry.server.removeListener('upgrade', entry.listener))
    attached.length = 0
  }

  return { attach, detach }
}
