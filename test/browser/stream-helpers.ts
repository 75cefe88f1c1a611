import { expect } from 'vitest'
import { TRANSPORT_NAMES, type PushClientOptions, type TransportName } from '../../src/index'
import type { PushServer } from '../../src/server'
import { STREAM_PATH, type StreamRequestLog } from './fixture-server'
import { expectedIds, type StartSetup, type StartSpec } from './test-page'

/** Every transport, in the client's default preference order. */
export const TRANSPORTS: TransportName[] = [...TRANSPORT_NAMES]

// Quick retries keep reconnect tests fast; no jitter keeps them predictable.
export const FAST_RETRY = { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 }

/** A client forced onto `transport`, listening to `tick` events too. */
export function forced(transport: TransportName, extra: Partial<PushClientOptions> = {}, setup: StartSetup = {}): StartSpec {
  return { options: { url: STREAM_PATH, transports: [transport], retry: FAST_RETRY, ...extra }, setup: { types: ['tick'], ...setup } }
}

/** Publishes events `from`..`to`: every third a `tick`, the others plain messages (ids follow the server's count). */
export function publishRange(push: PushServer, from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    push.publish(n % 3 === 0 ? { event: 'tick', data: `tick ${n}` } : { data: `message ${n}` })
  }
}

/** Asserts that `messages` are exactly the events `from`..`to` of {@link publishRange}, once each, in order. */
export function expectRange(messages: Array<{ id?: string; type: string; data: unknown }>, from: number, to: number): void {
  expect(messages.map((message) => message.id)).toEqual(expectedIds(from, to))
  messages.forEach((message) => {
    const n = Number(message.id)
    expect(message).toMatchObject(n % 3 === 0 ? { type: 'tick', data: `tick ${n}` } : { type: 'message', data: `message ${n}` })
  })
}

/** The resume point each request asked for: its `Last-Event-ID` header, else its `lastEventId` query. */
export function resumePoints(requests: readonly StreamRequestLog[]): Array<string | null> {
  return requests.map(
    (request) => (request.headers['last-event-id'] as string | undefined) || new URL(request.url, 'http://fixture').searchParams.get('lastEventId'),
  )
}
