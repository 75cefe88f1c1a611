import { MIN_DELAY_MS } from '../core/backoff'
import { sendRequest, type StopRequest } from '../core/http-request'
import type { Transport } from '../types'
import { createSession, resumeUrl } from './session'

/**
 * Repeated `GET`s that each return zero or more complete events, by `fetch` or, on old
 * browsers, `XMLHttpRequest`. Works through any proxy; a failed poll ends the connection
 * and the client backs off.
 */
export const longPollTransport: Transport = {
  name: 'long-poll',
  isSupported: ({ env }) => !!env.fetch || !!env.XMLHttpRequest,
  open(request, sink) {
    let stop: StopRequest | undefined
    let nextPoll: ReturnType<typeof setTimeout> | undefined
    let polledAt = 0
    let polledFrom: string | undefined
    const session = createSession(sink, request.maxMessageBytes, () => {
      clearTimeout(nextPoll)
      stop?.()
    })

    function poll(): void {
      // One reader per body: an unterminated last event of a poll is discarded, as the spec says.
      session.newBody()
      polledAt = Date.now()
      polledFrom = request.lastEventId()
      // Its maxMessageBytes also bounds an XMLHttpRequest body: one that never ends is cut
      // there and polled again from the last complete event.
      stop = sendRequest(
        {
          ...request,
          url: resumeUrl(request.url, request, 'long-poll'),
          // In the URL: a Last-Event-ID header would cost every cross-origin poll a preflight.
          lastEventId: undefined,
        },
        {
          start: session.open,
          chunk: session.read,
          end() {
            // At once after a poll that moved the resume point (events flow); else no sooner than
            // MIN_DELAY_MS after the last one started, so that a server or proxy answering every
            // poll at once with nothing cannot make a hot loop. Never recursively.
            const wait = request.lastEventId() !== polledFrom ? 0 : polledAt + MIN_DELAY_MS - Date.now()
            if (session.live()) nextPoll = setTimeout(poll, wait)
          },
          fail: session.fail,
        },
      )
    }

    poll()
    return { close: session.close }
  },
}
