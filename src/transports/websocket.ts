import { PushError } from '../errors'
import type { Transport } from '../types'
import { createSession, resumeUrl } from './session'

/**
 * SSE text inside WebSocket text frames (each frame holds whole events), with `send()`
 * upstream. Works with the browser's WebSocket and with the `ws` package's client.
 */
export const webSocketTransport: Transport = {
  name: 'websocket',
  isSupported: ({ env, hasHeaders }) => !!env.WebSocket && !hasHeaders,
  open(request, sink) {
    const url = resumeUrl(request.websocketUrl, request)
    const socket = new (request.env.WebSocket as typeof WebSocket)(url)
    // The handlers stay: the session drops what a closed socket still reports, and the `ws`
    // package throws on an 'error' event (one comes from closing while connecting) without one.
    const session = createSession(sink, request.maxMessageBytes, () => socket.close())

    function fail(code: 'network' | 'protocol', detail: string, cause?: Event): void {
      session.fail(new PushError(code, `${url} ${detail}`, { cause }))
    }

    socket.onmessage = (message) => {
      // The first frame, not the upgrade, proves the path works: a blocking proxy can
      // complete the upgrade and then pass nothing.
      if (typeof message.data === 'string') session.read(message.data)
      else fail('protocol', 'sent a binary frame, not SSE text')
    }
    socket.onclose = (event) => {
      fail('network', `closed (code ${event.code}${event.reason ? ', ' + event.reason : ''})`, event)
    }
    socket.onerror = (event) => {
      // Browsers hide the reason; the `ws` package puts it on the event.
      const detail = (event as Event & { message?: unknown }).message
      fail('network', typeof detail === 'string' ? 'failed: ' + detail : 'failed', event)
    }

    return {
      close: session.close,
      send(data) {
        socket.send(data)
      },
      canSend: () => session.live() && socket.readyState === 1,
    }
  },
}
