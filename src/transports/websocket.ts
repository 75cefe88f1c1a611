import { PushError } from '../errors'
import type { Transport } from '../types'
import { createSession, resumeUrl } from './session'

function noop(): void {}

function closeDetail(event: CloseEvent): string {
  return `code ${event.code}${event.reason ? `, ${event.reason}` : ''}`
}

/**
 * SSE text inside WebSocket text frames (each frame holds whole events), with `send()`
 * upstream. Works with the browser's WebSocket and with the `ws` package's client.
 */
export const webSocketTransport: Transport = {
  name: 'websocket',
  isSupported: ({ env, hasHeaders }) => !!env.WebSocket && !hasHeaders,
  open(request, sink) {
    const WebSocketImpl = request.env.WebSocket as typeof WebSocket
    const url = resumeUrl(request.websocketUrl, request)
    const socket = new WebSocketImpl(url)
    const session = createSession(sink, request.maxMessageBytes, () => {
      socket.onopen = socket.onmessage = socket.onclose = null
      // The `ws` package emits 'error' for a socket closed while connecting, and an
      // EventEmitter 'error' without a listener throws.
      socket.onerror = noop
      socket.close()
    })
    const reader = session.newReader()

    socket.onmessage = (message) => {
      const data: unknown = message.data
      if (typeof data !== 'string') {
        return session.fail(new PushError('protocol', `binary frame from ${url}; frames must hold SSE text`))
      }
      // The first frame, not the upgrade, proves the path works: a blocking proxy can
      // complete the upgrade and then pass nothing.
      session.open()
      session.activity()
      reader.feed(data)
    }
    socket.onclose = (event) => {
      session.fail(new PushError('network', `${url} closed (${closeDetail(event)})`, { cause: event }))
    }
    socket.onerror = (event) => {
      // Browsers hide the reason; the `ws` package puts it on the event.
      const detail = (event as Event & { message?: unknown }).message
      session.fail(
        new PushError('network', `${url} failed${typeof detail === 'string' ? `: ${detail}` : ''}`, { cause: event }),
      )
    }

    return {
      close: session.close,
      send(data) {
        socket.send(data)
      },
      canSend: () => session.isLive() && socket.readyState === 1,
    }
  },
}
