import { afterEach, beforeEach } from 'vitest'
import type { Transport, TransportConnection, TransportEnv, TransportRequest, TransportSink } from '../../src/types'
import { createRecordingSink, createTestServer, type RecordingSink, type TestServer } from '../helpers'

/** A {@link TransportRequest} whose resume point the test (or {@link followIds}) moves. */
export interface TestTransportRequest extends TransportRequest {
  resumeFrom: string | undefined
}

export type RequestOverrides = Partial<Omit<TransportRequest, 'lastEventId' | 'env' | 'url'>> & { lastEventId?: string }

/** Builds a request as the client would, with test-friendly defaults. */
export function transportRequest(url: string, env: TransportEnv, overrides: RequestOverrides = {}): TestTransportRequest {
  const { lastEventId, ...rest } = overrides
  const request: TestTransportRequest = {
    url,
    websocketUrl: url.replace(/^http/, 'ws'),
    resumeFrom: lastEventId,
    lastEventId: () => request.resumeFrom,
    lastEventIdParam: 'lastEventId',
    headers: {},
    withCredentials: false,
    maxMessageBytes: 1 << 20,
    eventTypes: [],
    websocketFormat: 'sse',
    env,
    ...rest,
  }
  return request
}

/** Wraps `sink` so that every event id moves the request's resume point, as the client does. */
export function followIds(request: TestTransportRequest, sink: TransportSink): TransportSink {
  return {
    ...sink,
    event(type, data, id) {
      if (id !== undefined) request.resumeFrom = id
      sink.event(type, data, id)
    },
  }
}

/** A sink that closes the connection (as a listener calling `client.close()` would) after the first event. */
export function closingOnFirstEvent(harness: TransportHarness, recorded: RecordingSink): TransportSink {
  return {
    ...recorded.sink,
    event(type, data, id) {
      recorded.sink.event(type, data, id)
      harness.close(recorded)
    },
  }
}

/** Records the init of every call to the real fetch it forwards to. */
export function spyFetch(): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = []
  return {
    calls,
    fetch: (url, init = {}) => {
      calls.push({ url: String(url), init })
      return fetch(url, init)
    },
  }
}

/** One transport under test against a fresh loopback server per test. */
export interface TransportHarness {
  readonly server: TestServer
  /** The connection opened last; closed after each test. */
  readonly connection: TransportConnection
  /** Opens the transport on `server.url()` (or `url`) with a recording sink. */
  open(env: TransportEnv, overrides?: RequestOverrides, url?: string): RecordingSink
  /** Opens the transport with a request and sink of the test's making. */
  openWith(request: TransportRequest, sink: TransportSink): TransportConnection
  /** Seals the sink and closes the connection: anything reported afterwards is late. */
  close(recorded: RecordingSink): void
  /** Replaces the server (after a test closed it on purpose). */
  restartServer(): Promise<void>
}

/** Registers before/after hooks that give every test of the file a fresh server and clean up. */
export function useTransportHarness(transport: Transport): TransportHarness {
  let server: TestServer | undefined
  let connection: TransportConnection | undefined

  beforeEach(async () => {
    server = await createTestServer()
  })

  afterEach(async () => {
    connection?.close()
    connection = undefined
    await server?.close()
  })

  const harness: TransportHarness = {
    get server() {
      if (!server) throw new Error('the harness server only exists inside a test')
      return server
    },
    get connection() {
      if (!connection) throw new Error('nothing was opened yet')
      return connection
    },
    open(env, overrides = {}, url = harness.server.url()) {
      const recorded = createRecordingSink()
      harness.openWith(transportRequest(url, env, overrides), recorded.sink)
      return recorded
    },
    openWith(request, sink) {
      connection = transport.open(request, sink)
      return connection
    },
    close(recorded) {
      recorded.seal()
      connection?.close()
    },
    async restartServer() {
      await server?.close()
      server = await createTestServer()
    },
  }
  return harness
}
