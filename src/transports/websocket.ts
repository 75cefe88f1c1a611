import { PushError } from '../errors'
import type { Transport, WebSocketMessage } from '../types'
import { createSession, resumeUrl } from './session'

/**
 * Frames from a WebSocket server, read as `request.websocketFormat` says: whole SSE events
 * (what `pushwire/server` sends), one text message per frame, or the user's own envelope;
 * `send()` writes text frames upstream. Works with the browser's WebSocket and with the `ws`
 * package's client.
 */
export const webSocketTransport: Transport = {
  name: 'websocket',
  isSupported: ({ env, hasHeaders }) => !!env.WebSocket && !hasHeaders,
  open(request, sink) {
    const { maxMessageBytes, websocketFormat: format } = request
    const url = resumeUrl(request.websocketUrl, request)
    // The `ws` package holds a whole frame, up to its maxPayload (100 MiB by default), before it
    // reports any of it; 8x lets through one event of maxMessageBytes characters in any
    // encoding and framing. Browsers ignore the third argument, but some old ones send an
    // undefined second one as the protocol "undefined": an empty list they all take.
    const WebSocketImpl = request.env.WebSocket as unknown as new (url: string, protocols: string | string[], options: object) => WebSocket
    const socket = new WebSocketImpl(url, request.websocketProtocols || [], { maxPayload: 8 * maxMessageBytes })
    socket.binaryType = 'arraybuffer'
    // The handlers stay: the session drops what a closed socket still reports, and the `ws`
    // package throws on an 'error' event (one comes from closing while connecting) without one.
    const session = createSession(sink, maxMessageBytes, () => socket.close())
    const drop = (detail: string, cause?: unknown) => sink.dropped(new PushError('protocol', `${url} ${detail}`, { cause }))

    // A server with its own format sends nothing first (pushwire/server sends `:ok`): there the
    // upgrade is the open, and no comment can time the connection.
    if (format !== 'sse') socket.onopen = () => session.open(false)

    socket.onmessage = ({ data }) => {
      if (!session.live()) return
      let message: WebSocketMessage | null
      try {
        // Binary frames as UTF-8 text: what a `ws` 8 server sends when it relays what it got.
        const frame: string = typeof data === 'string' ? data : new TextDecoder().decode(data)
        // There the first frame, not the upgrade, proves the path works: a blocking proxy can
        // complete the upgrade and then pass nothing.
        if (format === 'sse') {
          if (!session.read(frame, true)) drop("frame is not SSE (set websocketFormat: 'text'?)")
          return
        }
        session.activity()
        if (frame.length > maxMessageBytes) return session.tooLarge()
        if (format === 'text') return sink.event('message', frame)
        message = format(frame)
      } catch (cause) {
        return drop('websocketFormat threw', cause)
      }
      if (message) sink.message(message.type || 'message', message.data, message.id)
    }
    socket.onclose = (event) => {
      fail('network', `closed (code ${event.code}${event.reason ? ', ' + event.reason : ''})`, event)
    }
    socket.onerror = (event) => {
      // Browsers hide the reason; the `ws` package puts it on the event ("Max payload size
      // exceeded" for a frame over maxPayload).
      const detail = (event as Event & { message?: unknown }).message
      const failed = typeof detail === 'string' ? 'failed: ' + detail : 'failed'
      fail(/payload/.test(failed) ? 'too-large' : 'network', failed, event)
    }

    function fail(code: 'network' | 'too-large', detail: string, cause: Event): void {
      session.fail(new PushError(code, `${url} ${detail}`, { cause }))
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
