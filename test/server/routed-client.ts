// A pushwire client (real transports, in Node) whose connections go to whichever server process
// the test routes them to: a load balancer without stickiness, in the test's hands.
import WebSocket from 'ws'
import { createPushClient, type PushClient, type PushMessage, type PushStatus } from '../../src/index'
import type { Transport } from '../../src/types'
import { createEventSourceShim } from '../helpers/event-source-shim'

type TransportName = Exclude<PushClientTransport, Transport>
type PushClientTransport = NonNullable<Parameters<typeof createPushClient>[0]['transports']>[number]

export const TRANSPORTS: TransportName[] = ['fetch-sse', 'eventsource', 'websocket', 'long-poll']

// Every URL the client builds starts here; each connection is sent to the current target.
const PLACEHOLDER = '//cluster.invalid'

/** A client whose next connection goes to the origin `route()` names. */
export interface RoutedClient {
  client: PushClient
  messages: PushMessage[]
  statuses: PushStatus[]
  /** Ids of the messages of type `type` (default: every type but `pushwire:reset`). */
  ids(type?: string): string[]
  /** Sends connections opened from now on to `origin` (`http://127.0.0.1:<port>`). */
  route(origin: string): void
}

export function routedClient(transport: TransportName, origin: string, options: { heartbeatTimeoutMs?: number; lastEventId?: string } = {}): RoutedClient {
  let target = origin.replace(/^http:/, '')
  const rewrite = (url: string) => url.replace(PLACEHOLDER, target)
  const { EventSource } = createEventSourceShim()
  class RoutedEventSource extends (EventSource as unknown as new (url: string, init?: EventSourceInit) => EventSource) {
    constructor(url: string, init?: EventSourceInit) {
      super(rewrite(url), init)
    }
  }
  class RoutedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(rewrite(url), protocols)
    }
  }
  const client = createPushClient({
    url: `http:${PLACEHOLDER}/stream`,
    transports: [transport],
    retry: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    lastEventId: options.lastEventId,
    fetch: (input, init) => fetch(rewrite(String(input)), init),
    EventSource: RoutedEventSource as unknown as typeof globalThis.EventSource,
    WebSocket: RoutedWebSocket as unknown as typeof globalThis.WebSocket,
  })
  const messages: PushMessage[] = []
  const statuses: PushStatus[] = []
  client.on('*', (message) => messages.push(message))
  // Native EventSource dispatches only types that have a listener of their own.
  client.on('pushwire:reset', () => {})
  client.onStatus((status) => statuses.push(status))
  return {
    client,
    messages,
    statuses,
    ids(type) {
      return messages.filter((m) => (type === undefined ? m.type !== 'pushwire:reset' : m.type === type)).map((m) => m.id as string)
    },
    route(next) {
      target = next.replace(/^http:/, '')
    },
  }
}
