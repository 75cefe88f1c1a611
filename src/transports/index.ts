import type { Transport } from '../types'
import { eventSourceTransport } from './eventsource'
import { fetchSseTransport } from './fetch-sse'
import { longPollTransport } from './long-poll'
import { webSocketTransport } from './websocket'

/**
 * The built-in transports in the order of `TRANSPORT_NAMES` (the default preference), so that
 * a name's index there finds its transport here.
 */
export const builtInTransports: Transport[] = [fetchSseTransport, eventSourceTransport, webSocketTransport, longPollTransport]
