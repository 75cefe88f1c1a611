import type { IncomingHttpHeaders } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { Transport, TransportEnv } from '../../src/types'
import { createRecordingSink, waitFor, type RecordingSink, type TestServer } from '../helpers'
import { closingOnFirstEvent, transportRequest, type RequestOverrides, type TransportHarness } from './harness'

/**
 * The server's side of one connection, whatever carries it: an HTTP response (SSE, a long-poll)
 * or a WebSocket (each `send` one text frame).
 */
export interface ServerEnd {
  headers: IncomingHttpHeaders
  query: URLSearchParams
  /** Answers with a stream: `200 text/event-stream` headers (nothing for a WebSocket, already accepted). */
  start(): void
  /** Sends SSE text: a body chunk, or one text frame. */
  send(text: string | Uint8Array): Promise<void>
  /** Ends the response, or closes the socket with a close frame. */
  end(): Promise<void>
  /** Cuts the connection without a goodbye. */
  cut(): void
  /** Resolves once the connection is gone, whoever ended it. */
  closed: Promise<void>
  /** Whether the client went away before the server had finished (an HTTP request it aborted). */
  readonly aborted: boolean
}

/** What the shared suite needs to know about a transport; see {@link registerTransportTests}. */
export interface TransportProfile {
  /** Shown in the test names, e.g. `'long-poll over XMLHttpRequest'`. */
  label: string
  transport: Transport
  /** The implementations it runs on in Node (a fresh set per call). */
  env(): TransportEnv
  /** How a connection reaches the server. */
  kind: 'http' | 'websocket'
  /** Where the resume point travels: the `Last-Event-ID` header, or the `lastEventIdParam` query parameter. */
  resumeIn: 'header' | 'query'
  /** The transport sends the user's `headers` (and `Accept: text/event-stream`). */
  sendsHeaders: boolean
  /** HTTP statuses and `Content-Type` reach the transport (not so through native EventSource). */
  seesStatus: boolean
  /** SSE text goes through pushwire's own reader (native EventSource parses it in the browser). */
  ownReader: boolean
  /** Events over `maxMessageBytes` are refused. */
  boundsSize: boolean
  /** Bytes arrive as the network cuts them: an event or a character may span chunks. */
  byteChunks: boolean
  /**
   * What the server ending its answer means: the connection is over (`'failure'`, with this
   * text in the error), or the transport asks again (`'next-poll'`).
   */
  end: { is: 'failure'; message: string } | { is: 'next-poll' }
}

function serveHttp(server: TestServer): Promise<ServerEnd> {
  return server.nextRequest().then((request) => ({
    headers: request.headers,
    query: request.query,
    start: () => void request.stream(),
    send: request.write,
    end: () => request.end(),
    cut: request.destroy,
    closed: request.closed,
    get aborted() {
      return request.aborted
    },
  }))
}

function serveWebSocket(server: TestServer): Promise<ServerEnd> {
  return server.nextSocket().then((socket) => ({
    headers: socket.headers,
    query: socket.query,
    start() {},
    send: socket.send,
    end() {
      socket.close(1000, 'done')
      return socket.closed.then(() => undefined)
    },
    cut: socket.terminate,
    closed: socket.closed.then(() => undefined),
    aborted: false,
  }))
}

/** Nothing the transport schedules with setTimeout(0) from now on can still be pending after this. */
export function afterQueuedTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Registers the rules every transport keeps, against a real loopback server: open, events in
 * order, resume point, headers, HTTP statuses, size bounds, faults, and `close()` (after which
 * nothing is reported). eventsource-client's `registerTests` is the model: a new transport
 * passes its profile here and gets every rule; its own file adds only what is its alone. Call
 * it at the top of the file with the file's `useTransportHarness(transport)`.
 */
export function registerTransportTests(harness: TransportHarness, profile: TransportProfile): void {
  const serve = () => (profile.kind === 'http' ? serveHttp(harness.server) : serveWebSocket(harness.server))
  const open = (overrides?: RequestOverrides) => harness.open(profile.env(), overrides)
  /** Connections the server has seen so far: requests or sockets. */
  const connections = () => (profile.kind === 'http' ? harness.server.requests.length : harness.server.sockets.length)

  async function openStream(overrides?: RequestOverrides): Promise<{ recorded: RecordingSink; end: ServerEnd }> {
    const recorded = open(overrides)
    const end = await serve()
    end.start()
    await end.send(':ok\n\n')
    await recorded.until((r) => r.opens === 1, 'open')
    return { recorded, end }
  }

  /** The resume point a connection asked for. */
  function resumePoint(end: ServerEnd, param = 'lastEventId'): string | null {
    return profile.resumeIn === 'header' ? ((end.headers['last-event-id'] as string | undefined) ?? null) : end.query.get(param)
  }

  describe(`${profile.label} transport: the rules every transport keeps`, () => {
    it('is supported with its implementations, and not without them', () => {
      expect(profile.transport.isSupported({ env: profile.env(), hasHeaders: false })).toBe(true)
      expect(profile.transport.isSupported({ env: profile.env(), hasHeaders: true })).toBe(profile.sendsHeaders)
      expect(profile.transport.isSupported({ env: {}, hasHeaders: false })).toBe(false)
    })

    it('reports no open before the server answers, then one open with activity', async () => {
      const recorded = open()
      const end = await serve()
      expect(recorded.opens).toBe(0)
      end.start()
      await end.send(':ok\n\n')
      await recorded.until((r) => r.opens === 1, 'open')
      expect(recorded.activity).toBeGreaterThan(0)
      await end.send('data: a\n\ndata: b\n\n')
      await recorded.until((r) => r.events.length === 2, 'two events')
      expect(recorded.kinds()).toEqual(['open', 'event', 'event'])
    })

    it('reports events in order: type, multi-line data and id', async () => {
      const { recorded, end } = await openStream({ eventTypes: ['dish'] })
      await end.send('id: 1\nevent: dish\ndata: mapo\n\nid: 2\ndata: line 1\ndata: line 2\n\ndata: no id\n\n')
      await recorded.until((r) => r.events.length === 3, 'three events')
      expect(recorded.events).toEqual([
        { type: 'dish', data: 'mapo', id: '1' },
        { type: 'message', data: 'line 1\nline 2', id: '2' },
        { type: 'message', data: 'no id', id: undefined },
      ])
    })

    if (profile.ownReader) {
      it("reports the server's retry: in its place among the events", async () => {
        const { recorded, end } = await openStream()
        await end.send('data: a\n\nretry: 2500\n\ndata: b\n\n')
        await recorded.until((r) => r.events.length === 2, 'two events')
        expect(recorded.kinds()).toEqual(['open', 'event', 'retry', 'event'])
        expect(recorded.calls).toContainEqual({ kind: 'retry', ms: 2500 })
      })
    }

    if (profile.ownReader) {
      it('reads CR, LF and CRLF line ends and skips comments', async () => {
        const { recorded, end } = await openStream()
        await end.send(': comment\r\ndata: crlf\r\n\r\ndata: cr\r\rdata: lf\n: another\n\n')
        await recorded.until((r) => r.events.length === 3, 'three events')
        expect(recorded.events.map((event) => event.data)).toEqual(['crlf', 'cr', 'lf'])
      })
    }

    if (profile.byteChunks) {
      it('reads events and UTF-8 characters split across network chunks', async () => {
        const { recorded, end } = await openStream()
        const bytes = new TextEncoder().encode('data: 水😀ü\n\n')
        // Cut inside the field name, inside 水 (3 bytes at 6..8), inside 😀 (4 bytes at 9..12) and inside ü (13..14).
        const cuts = [0, 3, 7, 11, 14, bytes.length]
        for (let i = 0; i < cuts.length - 1; i++) {
          const seen = recorded.activity
          await end.send(bytes.subarray(cuts[i], cuts[i + 1]))
          await recorded.until((r) => r.activity > seen, `chunk ${i} read on its own`)
        }
        expect(recorded.events).toEqual([{ type: 'message', data: '水😀ü', id: undefined }])
      })
    }

    it('asks for no resume point on a fresh start, nor for an empty one', async () => {
      open({ lastEventId: '' })
      expect(resumePoint(await serve())).toBeNull()
    })

    if (profile.resumeIn === 'header') {
      it('sends the resume point as Last-Event-ID, not in the query', async () => {
        open({ lastEventId: '41' })
        const end = await serve()
        expect(resumePoint(end)).toBe('41')
        expect(end.query.get('lastEventId')).toBeNull()
      })
    }

    if (profile.resumeIn === 'query') {
      it('sends the resume point in the query, under lastEventIdParam', async () => {
        open({ lastEventId: '41', lastEventIdParam: 'since' })
        const end = await serve()
        expect(resumePoint(end, 'since')).toBe('41')
        expect(end.query.get('lastEventId')).toBeNull()
      })
    }

    if (profile.sendsHeaders) {
      it("sends Accept: text/event-stream and the user's headers", async () => {
        open({ headers: { Authorization: 'Bearer t0ken' } })
        const end = await serve()
        expect(end.headers.accept).toBe('text/event-stream')
        expect(end.headers.authorization).toBe('Bearer t0ken')
      })
    }

    if (profile.seesStatus) {
      it.each([
        [204, {}, 'closed-by-server', undefined],
        [401, {}, 'auth', undefined],
        [403, {}, 'auth', undefined],
        [503, { 'Retry-After': '7' }, 'http', 7000],
        [429, { 'Retry-After': '1' }, 'http', 1000],
        [500, {}, 'http', undefined],
      ])('fails once on status %i as %s, and connects no more by itself', async (status, headers, code, retryAfterMs) => {
        const recorded = open()
        ;(await harness.server.nextRequest()).respond(status, headers)
        await recorded.until((r) => r.errors.length > 0, 'fail')
        await afterQueuedTimers()
        expect(recorded.kinds()).toEqual(['fail'])
        expect(recorded.errors[0]).toMatchObject({ name: 'PushError', code, status, retryAfterMs })
        expect(recorded.errors[0].message).toContain(`GET ${harness.server.url()}`)
        expect(connections()).toBe(1)
      })
    }

    if (profile.seesStatus) {
      it('fails with protocol, naming it, on a 200 that is not text/event-stream', async () => {
        const recorded = open()
        ;(await harness.server.nextRequest()).respond(200, { 'Content-Type': 'text/html' }, 'data: not sse\n\n')
        await recorded.until((r) => r.errors.length > 0, 'fail')
        expect(recorded.kinds()).toEqual(['fail'])
        expect(recorded.errors[0].code).toBe('protocol')
        expect(recorded.errors[0].message).toContain('text/html')
      })
    }

    if (profile.ownReader && profile.byteChunks) {
      it('never reports an unterminated last event when the body ends', async () => {
        const { recorded, end } = await openStream()
        await end.send('data: whole\n\n')
        await end.send('data: cut off\n')
        await end.end()
        await waitFor(() => recorded.errors.length > 0 || connections() > 1, 'the end of the body to be handled')
        expect(recorded.events.map((event) => event.data)).toEqual(['whole'])
        expect(recorded.late).toEqual([])
      })
    }

    if (profile.end.is === 'failure') {
      const { message } = profile.end
      it('fails once with network when the server ends the stream, after what came before', async () => {
        const { recorded, end } = await openStream()
        await end.send('data: last\n\n')
        await end.end()
        await recorded.until((r) => r.errors.length > 0, 'fail')
        expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
        expect(recorded.errors[0].code).toBe('network')
        expect(recorded.errors[0].message).toContain(message)
        expect(recorded.late).toEqual([])
      })
    }

    it('fails with network when the connection is cut mid-stream', async () => {
      const { recorded, end } = await openStream()
      await end.send('data: a\n\n')
      await recorded.until((r) => r.events.length === 1, 'an event')
      end.cut()
      await recorded.until((r) => r.errors.length > 0, 'fail')
      expect(recorded.errors.map((error) => error.code)).toEqual(['network'])
      expect(recorded.late).toEqual([])
    })

    it('fails once with network when nothing listens at the URL', async () => {
      const url = harness.server.url()
      await harness.server.close()
      const recorded = harness.open(profile.env(), {}, url)
      await recorded.until((r) => r.errors.length > 0, 'fail')
      expect(recorded.kinds()).toEqual(['fail'])
      expect(recorded.errors[0].code).toBe('network')
      await harness.restartServer()
    })

    if (profile.boundsSize) {
      it('fails with too-large and drops the connection when an event passes maxMessageBytes', async () => {
        const { recorded, end } = await openStream({ maxMessageBytes: 64 })
        await end.send('data: small\n\n')
        await end.send(`data: ${'x'.repeat(100)}\n\ndata: after\n\n`)
        await recorded.until((r) => r.errors.length > 0, 'fail')
        expect(recorded.events.map((event) => event.data)).toEqual(['small'])
        expect(recorded.errors.map((error) => error.code)).toEqual(['too-large'])
        await end.closed
        if (profile.kind === 'http') expect(end.aborted).toBe(true)
        await afterQueuedTimers()
        expect(connections()).toBe(1)
        expect(recorded.late).toEqual([])
      })
    }

    it('close() ends the connection, twice is fine, and nothing is reported afterwards', async () => {
      const { recorded, end } = await openStream()
      await end.send('data: before\n\n')
      await recorded.until((r) => r.events.length === 1, 'the event')
      harness.close(recorded)
      harness.connection.close()
      await end.closed
      if (profile.kind === 'http') expect(end.aborted).toBe(true)
      await afterQueuedTimers()
      expect(connections()).toBe(1)
      expect(recorded.late).toEqual([])
    })

    if (profile.kind === 'http') {
      it('close() before the response aborts the request', async () => {
        const recorded = open()
        const request = await harness.server.nextRequest()
        harness.close(recorded)
        await request.closed
        expect(request.aborted).toBe(true)
        expect(recorded.late).toEqual([])
      })
    }

    it('stops at once when a listener closes it in the middle of a chunk', async () => {
      const recorded = createRecordingSink()
      harness.openWith(transportRequest(harness.server.url(), profile.env()), closingOnFirstEvent(harness, recorded))
      const end = await serve()
      end.start()
      await end.send('data: 1\n\ndata: 2\n\ndata: 3\n\n')
      await end.closed
      await afterQueuedTimers()
      expect(recorded.events.map((event) => event.data)).toEqual(['1'])
      expect(connections()).toBe(1)
      expect(recorded.late).toEqual([])
    })
  })
}
