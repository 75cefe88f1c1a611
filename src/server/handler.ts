import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context'
import { replyError } from './http-reply'
import { serveLongPoll } from './long-poll'
import { servePost } from './post'
import { isProblem, parseStreamRequest } from './request'
import { serveSse } from './sse'
import { isGone } from './stream-response'
import type { PushServer } from './types'

function acceptsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept
  return typeof accept === 'string' && accept.toLowerCase().indexOf('text/event-stream') !== -1
}

async function route(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
  const { cors, options } = context
  // Nothing served here is meant to be sniffed: a plain-text error that echoes a request value
  // must never be rendered as HTML or run as script.
  res.setHeader('X-Content-Type-Options', 'nosniff')
  // CORS headers go on errors too, so a cross-origin client can read why it failed.
  cors.apply(req, res)
  const methods = options.onMessage ? 'GET, POST, OPTIONS' : 'GET, OPTIONS'
  if (req.method === 'OPTIONS') return cors.preflight(req, res, methods)
  if (context.isClosed()) return replyError(res, 503, 'Push server is closed')
  if (req.method === 'POST' && !options.onMessage) {
    return replyError(res, 405, 'POST is not enabled: createPushServer({ onMessage }) receives what clients send', {
      Allow: methods,
    })
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    return replyError(res, 405, `Method ${req.method} is not allowed; use ${methods}`, { Allow: methods })
  }
  // Browsers send a text/plain or form POST from any page, cookies included, without a
  // preflight: like a WebSocket upgrade, it must not reach authorize or onMessage from a
  // foreign origin, whatever CORS would later let that page read.
  if (req.method === 'POST') {
    const refused = cors.refuseForeign(req)
    if (refused) return replyError(res, refused.status, refused.message)
  }
  let stream
  if (req.method === 'GET') {
    stream = parseStreamRequest(req)
    if (isProblem(stream)) return replyError(res, stream.status, stream.message)
    if (stream.transport === undefined && !acceptsEventStream(req)) {
      return replyError(res, 406, 'This is an event stream: send Accept: text/event-stream, or ?transport=long-poll')
    }
  }
  if (options.authorize) {
    if (!(await options.authorize(req))) return replyError(res, 401, 'Unauthorized')
    // close() may have run while authorize was pending.
    if (context.isClosed()) return replyError(res, 503, 'Push server is closed')
  }
  // The client may have left while authorize or earlier middleware (Express) was pending:
  // its 'close' has fired already, so a stream registered now would never be forgotten.
  if (isGone(res)) return
  if (!stream) return servePost(req, res, context)
  if (stream.transport === 'long-poll') return serveLongPoll(req, res, context, stream.lastEventId)
  return serveSse(req, res, context, stream)
}

/** Creates the request handler for node:http and Express. */
export function createHandler(context: ServerContext): PushServer['handler'] {
  return function handler(req, res, next) {
    route(req, res, context).catch((error: unknown) => {
      // Express users get their error middleware; plain node:http users get a 500 and a log line.
      if (next) return next(error)
      console.error('pushwire/server: request failed:', error)
      replyError(res, 500, 'Internal server error')
    })
  }
}
