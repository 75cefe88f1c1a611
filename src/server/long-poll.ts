import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context'
import type { Membership } from './hub'
import { firstAnswer } from './replay'
import { encodeCursor, encodeRetry, HEARTBEAT_COMMENT } from './sse-encoding'
import { startEventStream } from './stream-response'

/**
 * Serves one long-poll: the cursor when the client has none, the first page of what it missed
 * when it missed anything (it polls again for the rest), else holds the request until the
 * next events or `pollTimeoutMs`. Every answer must be taken within `writeTimeoutMs`.
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
  let membership: Membership | undefined
  let answered = false
  let pollTimer: ReturnType<typeof setTimeout> | undefined

  function answer(body: Buffer | string): void {
    if (answered) return
    answered = true
    clearTimeout(pollTimer)
    if (membership) membership.remove()
    // An answer nobody reads must not stay in memory: the poll has left the hub already.
    const deadline = setTimeout(() => res.destroy(), options.writeTimeoutMs)
    res.on('finish', () => clearTimeout(deadline))
    res.on('close', () => clearTimeout(deadline))
    res.end(body)
  }

  function hold(resumeFrom: string): void {
    const joined = hub.join(
      {
        write: answer,
        backlog: () => 0,
        end: () => answer(HEARTBEAT_COMMENT),
        destroy: () => res.destroy(),
      },
      true,
    )
    membership = joined
    pollTimer = setTimeout(() => answer(HEARTBEAT_COMMENT), options.pollTimeoutMs)
    hub
      .history(resumeFrom, joined.until)
      .then(async (history) => {
        const first = await firstAnswer(history, resumeFrom)
        if (first !== undefined) answer(first)
        else joined.release(history.skipThrough)
      })
      .catch(() => res.destroy())
  }

  function poll(): void {
    if (lastEventId === undefined) answer(encodeCursor(hub.headId() as string))
    else hold(lastEventId)
  }

  res.on('close', () => {
    answered = true
    clearTimeout(pollTimer)
    if (membership) membership.remove()
  })
  // The cursor must be the head of the stream: wait until the adapter knows it.
  const forget = hub.afterStart((started) => (started ? poll() : answer(HEARTBEAT_COMMENT)))
  res.on('close', forget)
}
