import { sendRequest, type StopRequest } from '../core/http-request'
import { PushError } from '../errors'
import type { Transport } from '../types'
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
    let stop: StopRequest | undefined
    const session = createSession(sink, request.maxMessageBytes, () => stop?.())
    stop = sendRequest(request, {
      // Headers alone prove nothing: a buffering proxy answers them and then holds the body.
      start: session.activity,
      chunk: session.read,
      end() {
        session.fail(new PushError('network', `stream ended: GET ${url}`))
      },
      fail: session.fail,
    })
    return { close: session.close }
  },
}
