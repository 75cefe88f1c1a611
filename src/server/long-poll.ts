import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context'
import { encodeCursor, encodeRetry, HEARTBEAT_COMMENT } from './sse-encoding'
import { startEventStream } from './stream-response'

/**
 * Serves one long-poll: the cursor when the client has none, the missed events when there are
 * any, else holds the request until the next publish or `pollTimeoutMs`.
 */
export function serveLongPoll(
  req: IncomingMessage,
  res: ServerResponse,
  context: ServerContext,
  lastEventId: string | undefined,
): void {
  const { hub, options } = context
  startEventStream(req, res)
  if (options.retryMs !== undefined) res.write(encodeRetry(options.retryMs))
  if (lastEventId === undefined) {
    res.end(encodeCursor(hub.headId()))
    return
  }
  const missed = hub.replay(lastEventId)
  if (missed.text) {
    // After a reset the buffer may hold nothing: the cursor keeps the client from asking
    // with the same unknown id again and again.
    res.end(missed.reset ? missed.text + encodeCursor(hub.headId()) : missed.text)
    return
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  function finish(body: Buffer | string): void {
    clearTimeout(timer)
    remove()
    res.end(body)
  }
  const remove = hub.add({
    write: finish,
    backlog: () => 0,
    end: () => finish(HEARTBEAT_COMMENT),
    destroy: () => {
      clearTimeout(timer)
      res.destroy()
    },
  })
  timer = setTimeout(() => finish(HEARTBEAT_COMMENT), options.pollTimeoutMs)
  res.on('close', () => {
    clearTimeout(timer)
    remove()
  })
}
