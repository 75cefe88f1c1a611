import type { Transport } from '../types'
import { eventStreamHeaders, fetchEventStream, xhrEventStream, type StopRequest } from './http-stream'
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
    const { fetch, XMLHttpRequest } = request.env
    const headers = eventStreamHeaders(request.headers)
    let stopPoll: StopRequest | undefined
    let nextPoll: ReturnType<typeof setTimeout> | undefined
    const session = createSession(sink, request.maxMessageBytes, () => {
      clearTimeout(nextPoll)
      if (stopPoll) stopPoll()
    })

    function poll(): void {
      nextPoll = undefined
      // One reader per body: an unterminated last event of a poll is discarded, as the spec says.
      const reader = session.newReader()
      const stream = {
        url: resumeUrl(request.url, request, 'long-poll'),
        headers,
        withCredentials: request.withCredentials,
      }
      const handlers = {
        start() {
          session.open()
          session.activity()
        },
        chunk(text: string) {
          session.activity()
          reader.feed(text)
        },
        end() {
          // Through the event loop, never recursively: a server that answers every poll at
          // once with an empty body must not lock up the page.
          if (session.isLive()) nextPoll = setTimeout(poll, 0)
        },
        fail: session.fail,
      }
      stopPoll = fetch
        ? fetchEventStream(fetch, stream, handlers)
        : xhrEventStream(XMLHttpRequest as typeof globalThis.XMLHttpRequest, stream, handlers)
    }

    poll()
    return { close: session.close }
  },
}
