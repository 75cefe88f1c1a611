import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'

/**
 * Starts a `text/event-stream` response and sends its headers at once, so the client knows
 * the connection is open before the first event.
 */
export function startEventStream(req: IncomingMessage, res: ServerResponse): void {
  const headers: OutgoingHttpHeaders = {
    'Content-Type': 'text/event-stream; charset=utf-8',
    // no-transform keeps compression middleware (and proxies that honour it) off the stream.
    'Cache-Control': 'no-cache, no-transform',
    // nginx buffers responses unless told not to.
    'X-Accel-Buffering': 'no',
  }
  // Connection is a hop-by-hop header that HTTP/2 forbids.
  if (req.httpVersionMajor === 1) headers.Connection = 'keep-alive'
  res.writeHead(200, headers)
  res.flushHeaders()
  // Small event frames must not wait for Nagle's algorithm.
  if (req.socket && typeof req.socket.setNoDelay === 'function') req.socket.setNoDelay(true)
}

/** Whether the peer went away while the request was being authorised or read. */
export function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded
}
