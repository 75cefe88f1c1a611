import { sendRequest, withHeaders, type StopRequest } from '../core/http-request'
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
    const headers = withHeaders({ Accept: 'text/event-stream' }, request.headers)
    let stop: StopRequest | undefined
    let nextPoll: ReturnType<typeof setTimeout> | undefined
    const session = createSession(sink, request.maxMessageBytes, () => {
      clearTimeout(nextPoll)
      stop?.()
    })

    function poll(): void {
      // One reader per body: an unterminated last event of a poll is discarded, as the spec says.
      session.newBody()
      stop = sendRequest(
        request.env,
        {
          url: resumeUrl(request.url, request, 'long-poll'),
          headers,
          withCredentials: request.withCredentials,
          // A body that never ends is cut here and polled again from the last complete event.
          // 8x: even all-empty `data: ` lines take only 7 chars per data char, so any event fits.
          maxBodyLength: 8 * request.maxMessageBytes,
        },
        {
          start: session.open,
          chunk: session.read,
          end() {
            // Through the event loop, never recursively: a server that answers every poll at
            // once with an empty body must not lock up the page.
            if (session.live()) nextPoll = setTimeout(poll, 0)
          },
          fail: session.fail,
        },
      )
    }

    poll()
    return { close: session.close }
  },
}
