import { describe, expect, it } from 'vitest'
import { fetchSseTransport } from '../../src/transports/fetch-sse'
import { createRecordingSink, waitFor } from '../helpers'
import { closingOnFirstEvent, spyFetch, transportRequest, useTransportHarness, type RequestOverrides } from './harness'

const harness = useTransportHarness(fetchSseTransport)
const open = (overrides?: RequestOverrides, fetchImpl: typeof fetch = fetch) => harness.open({ fetch: fetchImpl }, overrides)
const close = harness.close

describe('fetch-sse transport', () => {
  it('is supported with fetch, ReadableStream and TextDecoder, headers or not', () => {
    expect(fetchSseTransport.isSupported({ env: { fetch }, hasHeaders: true })).toBe(true)
    expect(fetchSseTransport.isSupported({ env: {}, hasHeaders: false })).toBe(false)
  })

  it('opens at the first body byte, not at the headers, then reports events in order', async () => {
    const recorded = open()
    const request = await harness.server.nextRequest()
    request.stream()
    await recorded.until((r) => r.activity > 0, 'activity for the headers')
    expect(recorded.opens).toBe(0)

    await request.write(':ok\n\n')
    await recorded.until((r) => r.opens === 1, 'open')
    await request.write('id: 1\nevent: dish\ndata: mapo\n\nretry: 2500\nid: 2\ndata: line 1\ndata: line 2\n\n')
    await recorded.until((r) => r.events.length === 2, 'two events')

    expect(recorded.kinds()).toEqual(['open', 'event', 'retry', 'event'])
    expect(recorded.events).toEqual([
      { type: 'dish', data: 'mapo', id: '1' },
      { type: 'message', data: 'line 1\nline 2', id: '2' },
    ])
    expect(recorded.calls).toContainEqual({ kind: 'retry', ms: 2500 })
  })

  it('sends Accept, the user headers and Last-Event-ID when resuming', async () => {
    open({ headers: { Authorization: 'Bearer t0ken' }, lastEventId: '41' })
    const request = await harness.server.nextRequest()
    expect(request.headers.accept).toBe('text/event-stream')
    expect(request.headers.authorization).toBe('Bearer t0ken')
    expect(request.headers['last-event-id']).toBe('41')
    expect(request.query.get('lastEventId')).toBeNull()
  })

  it('sends a resume point beyond Latin-1 as UTF-8, as native EventSource does', async () => {
    // fetch refuses header characters above U+00FF, which left such an id unable to resume.
    const recorded = open({ lastEventId: '水-1' })
    await waitFor(() => recorded.errors.length > 0 || harness.server.requests.length > 0, 'the request or a failure')
    expect(recorded.errors).toEqual([])
    const request = await harness.server.nextRequest()
    expect(Buffer.from(request.headers['last-event-id'] as string, 'latin1').toString('utf8')).toBe('水-1')
  })

  it('sends no Last-Event-ID without a resume point', async () => {
    open({ lastEventId: '' })
    const request = await harness.server.nextRequest()
    expect(request.headers['last-event-id']).toBeUndefined()
  })

  it.each([
    [false, 'same-origin'],
    [true, 'include'],
  ])('asks fetch for withCredentials=%s as credentials %s, uncached and abortable', async (withCredentials, mode) => {
    const spy = spyFetch()
    open({ withCredentials }, spy.fetch)
    await harness.server.nextRequest()
    expect(spy.calls[0].init).toMatchObject({ credentials: mode, cache: 'no-store' })
    expect(spy.calls[0].init.signal).toBeInstanceOf(AbortSignal)
  })

  it.each([
    [204, {}, 'closed-by-server', undefined],
    [401, {}, 'auth', undefined],
    [403, {}, 'auth', undefined],
    [503, { 'Retry-After': '7' }, 'http', 7000],
    [429, { 'Retry-After': '1' }, 'http', 1000],
    [500, {}, 'http', undefined],
  ])('fails once on status %i as %s', async (status, headers, code, retryAfterMs) => {
    const recorded = open()
    ;(await harness.server.nextRequest()).respond(status, headers)
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['fail'])
    expect(recorded.errors[0]).toMatchObject({ name: 'PushError', code, status, retryAfterMs })
    expect(recorded.errors[0].message).toContain(`GET ${harness.server.url()}`)
  })

  it('reads Retry-After as an HTTP date, and ignores one that is neither seconds nor a date', async () => {
    let recorded = open()
    const inAMinute = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000)
    ;(await harness.server.nextRequest()).respond(503, { 'Retry-After': inAMinute.toUTCString() })
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors[0].retryAfterMs).toBeGreaterThan(55_000)

    // Date.parse reads "1.5" as a date in 2001: a wait of 0, i.e. no backoff at all.
    recorded = open()
    ;(await harness.server.nextRequest()).respond(503, { 'Retry-After': '1.5' })
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors[0]).toMatchObject({ code: 'http', status: 503, retryAfterMs: undefined })
  })

  it('fails with protocol on a 200 that is not text/event-stream', async () => {
    const recorded = open()
    ;(await harness.server.nextRequest()).respond(200, { 'Content-Type': 'text/html' }, 'data: not sse\n\n')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['fail'])
    expect(recorded.errors[0].code).toBe('protocol')
    expect(recorded.errors[0].message).toContain('text/html')
  })

  it('decodes UTF-8 characters split across network chunks', async () => {
    const recorded = open()
    const request = (await harness.server.nextRequest()).stream()
    const bytes = new TextEncoder().encode('data: 水😀ü\n\n')
    // Cut inside 水 (3 bytes at 6..8), inside 😀 (4 bytes at 9..12) and inside ü (13..14).
    const cuts = [0, 7, 11, 14, bytes.length]
    for (let i = 0; i < cuts.length - 1; i++) {
      const seen = recorded.activity
      await request.write(bytes.subarray(cuts[i], cuts[i + 1]))
      await recorded.until((r) => r.activity > seen, `chunk ${i} read on its own`)
    }
    expect(recorded.events).toEqual([{ type: 'message', data: '水😀ü', id: undefined }])
  })

  it('fails once with network when the stream ends, dropping an unterminated event', async () => {
    const recorded = open()
    const request = (await harness.server.nextRequest()).stream()
    await request.write('data: whole\n\n')
    await request.end('data: cut off\n')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
    expect(recorded.errors[0].code).toBe('network')
    expect(recorded.errors[0].message).toContain('stream ended')
    expect(recorded.late).toEqual([])
  })

  it('fails with network when the connection breaks mid-stream', async () => {
    const recorded = open()
    const request = (await harness.server.nextRequest()).stream()
    await request.write(':ok\n\n')
    await recorded.until((r) => r.opens === 1, 'open')
    request.destroy()
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors.map((e) => e.code)).toEqual(['network'])
  })

  it('fails with network, keeping the cause, when fetch rejects', async () => {
    const cause = new TypeError('fetch failed')
    const recorded = open({}, () => Promise.reject(cause))
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors[0]).toMatchObject({ code: 'network', cause })
  })

  it('close() aborts the request in flight and nothing is reported afterwards', async () => {
    const recorded = open()
    const request = (await harness.server.nextRequest()).stream()
    await request.write('data: before\n\n')
    await recorded.until((r) => r.events.length === 1, 'first event')
    close(recorded)
    harness.connection.close() // idempotent
    await request.closed
    expect(request.aborted).toBe(true)
    expect(recorded.late).toEqual([])
  })

  it('close() before the response aborts the request', async () => {
    const recorded = open()
    const request = await harness.server.nextRequest()
    close(recorded)
    await request.closed
    expect(request.aborted).toBe(true)
    expect(recorded.late).toEqual([])
  })

  it('stops at once when a listener closes it in the middle of a chunk', async () => {
    const recorded = createRecordingSink()
    harness.openWith(transportRequest(harness.server.url(), { fetch }), closingOnFirstEvent(harness, recorded))
    const response = (await harness.server.nextRequest()).stream()
    await response.write('data: 1\n\ndata: 2\n\ndata: 3\n\n')
    await response.closed
    expect(recorded.events.map((e) => e.data)).toEqual(['1'])
    expect(recorded.late).toEqual([])
  })

  it('fails with too-large and drops the connection when an event passes maxMessageBytes', async () => {
    const recorded = open({ maxMessageBytes: 64 })
    const request = (await harness.server.nextRequest()).stream()
    await request.write('data: small\n\n')
    await request.write(`data: ${'x'.repeat(100)}\n\ndata: after\n\n`)
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.events.map((e) => e.data)).toEqual(['small'])
    expect(recorded.errors.map((e) => e.code)).toEqual(['too-large'])
    await request.closed
    expect(request.aborted).toBe(true)
    expect(recorded.late).toEqual([])
  })
})
