import { HEARTBEAT_TYPE, RESET_TYPE } from '../constants'
import { PushError } from '../errors'
import type { Transport } from '../types'
import { createSession, resumeUrl } from './session'

/**
 * The browser's own EventSource. The client owns reconnection, so the first `error` closes
 * it (no browser auto-reconnect) and the resume point travels in the query string.
 */
export const eventSourceTransport: Transport = {
  name: 'eventsource',
  seesComments: false,
  isSupported: ({ env, hasHeaders }) => !!env.EventSource && !hasHeaders,
  open(request, sink) {
    const url = resumeUrl(request.url, request, 'eventsource')
    const source = new (request.env.EventSource as typeof EventSource)(url, { withCredentials: request.withCredentials })
    const types: string[] = []
    // MessageEvent.lastEventId keeps the last id the stream set, so an unchanged one is not this event's.
    let previousId = ''
    const session = createSession(sink, request.maxMessageBytes, () => {
      source.onopen = source.onerror = null
      types.forEach((type) => source.removeEventListener(type, onEvent))
      source.close()
    })

    function onEvent(event: Event): void {
      const { type, data, lastEventId = '' } = event as MessageEvent<string>
      // The connection's own open and error events reach an app's listener for those types too.
      if (typeof data !== 'string') return
      const id = lastEventId !== previousId ? lastEventId : undefined
      previousId = lastEventId
      session.activity()
      // The browser has read it whole already; still, it is never delivered.
      if (data.length > request.maxMessageBytes) return session.tooLarge()
      // Unguarded: closing the session removes this listener.
      sink.event(type, data, id)
    }

    function onError(event: Event): void {
      // A server event named `error` arrives here too; it is data, not a fault.
      if (typeof (event as MessageEvent).data === 'string') return
      // CLOSED (2): the browser itself gave up on the response.
      const what = source.readyState === 2 ? 'was refused (status or Content-Type)' : 'lost its connection'
      session.fail(new PushError('network', `EventSource ${url} ${what}`, { cause: event }))
    }

    function listen(type: string): void {
      if (!session.live() || types.indexOf(type) !== -1) return
      types.push(type)
      source.addEventListener(type, onEvent)
    }

    // Handler attributes rather than listeners: one assignment each to set and to clear.
    // Not session.open itself: the event would arrive as its `seesComments` argument.
    source.onopen = () => session.open()
    source.onerror = onError
    // These three on every connection, whatever the app subscribed to.
    ;['message', HEARTBEAT_TYPE, RESET_TYPE].concat(request.eventTypes).forEach(listen)
    return { close: session.close, listen }
  },
}
