import { afterEach, beforeEach, vi } from 'vitest'
import { createPushClient, type PushClient, type PushClientOptions, type PushStatus } from '../../src/index'
import type { Transport, TransportConnection, TransportRequest, TransportSink } from '../../src/types'

/** One connection opened through a {@link FakeTransport}, driven by the test. */
export interface FakeConnection extends TransportConnection {
  request: TransportRequest
  sink: TransportSink
  closed: boolean
  sent: string[]
  listened: string[]
}

export interface FakeTransport {
  transport: Transport
  opens: FakeConnection[]
  last(): FakeConnection
}

/** A transport whose connections the test opens, feeds and fails by hand. */
export function createFakeTransport(
  name = 'fake',
  traits: { seesComments?: boolean; supported?: boolean; canSend?: boolean } = {},
): FakeTransport {
  const opens: FakeConnection[] = []
  const transport: Transport = {
    name,
    seesComments: traits.seesComments,
    isSupported: () => traits.supported !== false,
    open(request, sink) {
      const connection: FakeConnection = {
        request,
        sink,
        closed: false,
        sent: [],
        listened: [],
        close() {
          connection.closed = true
        },
        send(data) {
          connection.sent.push(data)
        },
        canSend: () => !!traits.canSend && !connection.closed,
        listen(type) {
          connection.listened.push(type)
        },
      }
      opens.push(connection)
      return connection
    },
  }
  return {
    transport,
    opens,
    last() {
      const connection = opens[opens.length - 1]
      if (!connection) throw new Error(`${name} was never opened`)
      return connection
    },
  }
}

/** What a test of the client on a {@link FakeTransport} works with; fresh for every test. */
export interface FakeClientTests {
  /** The transport of every client the test makes; a test may replace it before making one. */
  fake: FakeTransport
  /** Every status the test's clients reported, in order. */
  statuses: PushStatus[]
  /** A client of `url` on the current `fake`, its statuses logged in `statuses`. */
  client(options?: Partial<PushClientOptions>): PushClient
}

/**
 * Sets up every test of the calling file: fake timers, and `Math.random` pinned to 0 so
 * backoff delays are exact. Register more `beforeEach` hooks after this call; the mocks they
 * install are restored with these.
 */
export function setupFakeClientTests(url: string): FakeClientTests {
  const tests: FakeClientTests = {
    fake: createFakeTransport(),
    statuses: [],
    client(options = {}) {
      const created = createPushClient({ url, transports: [tests.fake.transport], ...options })
      created.onStatus((status) => tests.statuses.push(status))
      return created
    },
  }
  beforeEach(() => {
    vi.useFakeTimers()
    vi.spyOn(Math, 'random').mockReturnValue(0)
    tests.fake = createFakeTransport()
    tests.statuses = []
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })
  return tests
}

/** Lets a client evaluate headers and query and open (it does so after a microtask). */
export const flush = () => vi.advanceTimersByTimeAsync(0)
