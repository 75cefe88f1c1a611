import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context'
import { replayThenGoLive } from './replay'
import type { StreamRequest } from './request'
import { encodeRetry, HEARTBEAT_COMMENT, HEARTBEAT_EVENT, OPEN_COMMENT } from './sse-encoding'
import { startEventStream } from './stream-response'

const COMMENT_BEAT = Buffer.from(HEARTBEAT_COMMENT)
const EVENT_BEAT = Buffer.from(HEARTBEAT_EVENT)
const GONE = new Error('connection closed')

/**
 * Serves an endless SSE stream: opening comment, `retry:`, missed events, then live events.
 * The opening comment waits until the adapter has started (with Redis: connected), so the
 * client counts as connected only once it can be given every event from then on.
 */
export function serveSse(req: IncomingMessage, res: ServerResponse, context: ServerContext, stream: StreamRequest): void {
  startEventStream(req, res)
  const forget = context.hub.afterStart((started) => {
    if (started) openStream(res, context, stream)
    else res.end()
  })
  res.on('close', forget)
}

function openStream(res: ServerResponse, context: ServerContext, stream: StreamRequest): void {
  const { hub, options } = context
  res.write(OPEN_COMMENT + (options.retryMs !== undefined ? encodeRetry(options.retryMs) : ''))
  const client = {
    write(payload: Buffer, written?: (error?: Error | null) => void) {
      // Ended by close() but still draining to a slow reader: a write now would be an uncaught error.
      if (res.writableEnded || res.destroyed) {
        if (written) written(GONE)
      } else res.write(payload, written)
    },
    backlog: () => res.writableLength,
    // Native EventSource never shows comments to script, so its watchdog needs events.
    heartbeat: stream.transport === 'eventsource' ? EVENT_BEAT : COMMENT_BEAT,
    end: () => res.end(),
    destroy: () => res.destroy(),
  }
  const membership = hub.join(client, stream.lastEventId !== undefined)
  res.on('close', membership.remove)
  if (stream.lastEventId !== undefined) replayThenGoLive(hub, client, membership, stream.lastEventId, options.writeTimeoutMs)
}
