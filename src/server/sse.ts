import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context'
import type { StreamRequest } from './request'
import { encodeRetry, HEARTBEAT_COMMENT, HEARTBEAT_EVENT, OPEN_COMMENT } from './sse-encoding'
import { startEventStream } from './stream-response'

const COMMENT_BEAT = Buffer.from(HEARTBEAT_COMMENT)
const EVENT_BEAT = Buffer.from(HEARTBEAT_EVENT)

/** Serves an endless SSE stream: opening comment, `retry:`, missed events, then live events. */
export function serveSse(req: IncomingMessage, res: ServerResponse, context: ServerContext, stream: StreamRequest): void {
  const { hub, options } = context
  startEventStream(req, res)
  const retry = options.retryMs !== undefined ? encodeRetry(options.retryMs) : ''
  // Replay and registration happen in one synchronous step, so no event falls between them.
  res.write(OPEN_COMMENT + retry + hub.replay(stream.lastEventId).text)
  const remove = hub.add({
    write: (payload) => {
      // Ended by close() but still draining to a slow reader: a write now would be an uncaught error.
      if (!res.writableEnded) res.write(payload)
    },
    backlog: () => res.writableLength,
    // Native EventSource never shows comments to script, so its watchdog needs events.
    heartbeat: stream.transport === 'eventsource' ? EVENT_BEAT : COMMENT_BEAT,
    end: () => res.end(),
    destroy: () => res.destroy(),
  })
  res.on('close', remove)
}
