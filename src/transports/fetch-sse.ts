import { PushError } from '../errors'
import type { Transport } from '../types'
import { eventStreamHeaders, fetchEventStream, type StopRequest } from './http-stream'
import { createSession } from './session'

/**
 * Server-Sent Events over `fetch` and a streamed response body: unlike native EventSource it
 * can send headers, sees comments (heartbeats) and HTTP status codes.
 */
export const fetchSseTransport: Transport = {
  name: 'fetch-sse',
  isSupported: ({ env }) =>
    !!env.fetch && typeof ReadableStream !== 'undefined' && typeof TextDecoder !== 'undefined',
  open(request, sink) {
    const url = request.url
    const headers = eventStreamHeaders(request.headers)
    const resumeFrom = request.lastEventId()
    if (resumeFrom) headers['Last-Event-ID'] = resumeFrom
    let stopRequest: StopRequest | undefined
    const session = createSession(sink, request.maxMessageBytes, () => {
      if (stopRequest) stopRequest()
    })
    const reader = session.newReader()
    stopRequest = fetchEventStream(
      request.env.fetch as typeof fetch,
      { url, headers, withCredentials: request.withCredentials },
      {
        start: session.activity,
        chunk(text) {
          // Headers alone prove nothing: a buffering proxy answers them and then holds the body.
          session.open()
          session.activity()
          reader.feed(text)
        },
        end() {
          session.fail(new PushError('network', `stream ended: GET ${url}`))
        },
        fail: session.fail,
      },
    )
    return { close: session.close }
  },
}
