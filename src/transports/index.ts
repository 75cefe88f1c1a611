import type { Transport, TransportName } from '../types'
import { eventSourceTransport } from './eventsource'
import { fetchSseTransport } from './fetch-sse'
import { longPollTransport } from './long-poll'
import { webSocketTransport } from './websocket'

/** The built-in transports by name, as `options.transports` refers to them. */
export const builtInTransports: Record<TransportName, Transport> = {
  eventsource: eventSourceTransport,
  'fetch-sse': fetchSseTransport,
  websocket: webSocketTransport,
  'long-poll': longPollTransport,
}
