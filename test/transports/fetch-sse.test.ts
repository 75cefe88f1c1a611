import { describe, expect, it } from 'vitest'
import { fetchSseTransport } from '../../src/transports/fetch-sse'
import { waitFor } from '../helpers'
import { spyFetch, useTransportHarness, type RequestOverrides } from './harness'
import { registerTransportTests } from './suite'

const harness = useTransportHarness(fetchSseTransport)
const open = (overrides?: RequestOverrides, fetchImpl: typeof fetch = fetch) => harness.open({ fetch: fetchImpl }, overrides)

registerTransportTests(harness, {
  label: 'fetch-sse',
  transport: fetchSseTransport,
  env: () => ({ fetch }),
  kind: 'http',
  resumeIn: 'header',
  sendsHeaders: true,
  seesStatus: true,
  ownReader: true,
  boundsSize: true,
  byteChunks: true,
  end: { is: 'failure', message: 'stream ended' },
})

describe('fetch-sse transport', () => {
  it('opens at the first body byte, not at the headers', async () => {
    const recorded = open()
    const request = await harness.server.nextRequest()
    request.stream()
    await recorded.until((r) => r.activity > 0, 'activity for the headers')
    expect(recorded.opens).toBe(0)
    await request.write(':ok\n\n')
    await recorded.until((r) => r.opens === 1, 'open')
  })

  it('sends a resume point beyond Latin-1 as UTF-8, as native EventSource does', async () => {
    // fetch refuses header characters above U+00FF, which left such an id unable to resume.
    const recorded = open({ lastEventId: '水-1' })
    await waitFor(() => recorded.errors.length > 0 || harness.server.requests.length > 0, 'the request or a failure')
    expect(recorded.errors).toEqual([])
    const request = await harness.server.nextRequest()
    expect(Buffer.from(request.headers['last-event-id'] as string, 'latin1').toString('utf8')).toBe('水-1')
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

  it('fails with network, keeping the cause, when fetch rejects', async () => {
    const cause = new TypeError('fetch failed')
    const recorded = open({}, () => Promise.reject(cause))
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors[0]).toMatchObject({ code: 'network', cause })
  })
})
