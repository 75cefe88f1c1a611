import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { PushClientOptions, TransportName } from '../../src/index'
import { launchBrowser, type LaunchedBrowser } from './chromium'
import { startFixtureServer, STREAM_PATH, type Bundle, type FixtureServer } from './fixture-server'
import { expectedIds, openTestPage, waitFor, type TestPage, type TestWindow } from './test-page'

const TRANSPORTS: TransportName[] = ['eventsource', 'fetch-sse', 'websocket', 'long-poll']
// Only these two see HTTP statuses and send headers (see the contract's `headers` and wire protocol).
const HTTP_STATUS_TRANSPORTS: TransportName[] = ['fetch-sse', 'long-poll']
const BUNDLES: Bundle[] = ['umd', 'esm']

// Quick retries keep reconnect tests fast; no jitter keeps them predictable.
const FAST_RETRY = { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 }

let browser: LaunchedBrowser
let fixture: FixtureServer
let tab: TestPage

beforeAll(async () => {
  ;[browser, fixture] = await Promise.all([launchBrowser(), startFixtureServer()])
})

beforeEach(async () => {
  tab = await openTestPage(browser, fixture)
})

afterAll(async () => {
  await Promise.all([browser?.close(), fixture?.close()])
})

afterEach(async () => {
  expect(await tab.close()).toEqual([])
})

function options(transport: TransportName, extra: Partial<PushClientOptions> = {}): PushClientOptions {
  return { url: STREAM_PATH, transports: [transport], retry: FAST_RETRY, ...extra }
}

function publishRange(from: number, to: number): void {
  for (let n = from; n <= to; n++) {
    fixture.push.publish(n % 3 === 0 ? { event: 'tick', data: `tick ${n}` } : { data: `message ${n}` })
  }
}

function expectRange(messages: Array<{ id?: string; type: string; data: unknown }>, from: number, to: number): void {
  expect(messages.map((message) => message.id)).toEqual(expectedIds(from, to))
  messages.forEach((message) => {
    const n = Number(message.id)
    expect(message).toMatchObject(n % 3 === 0 ? { type: 'tick', data: `tick ${n}` } : { type: 'message', data: `message ${n}` })
  })
}

describe.each(BUNDLES)('%s bundle', (bundle) => {
  describe.each(TRANSPORTS)('transports: [%s]', (transport) => {
    it('delivers every event in order, on the forced transport', async () => {
      await fixture.resetPush()
      await tab.open({ bundle })
      await tab.start(options(transport), { types: ['tick'] })
      await tab.waitForStatus({ state: 'open', transport })
      publishRange(1, 40)
      const messages = await tab.waitForMessages(40)
      expectRange(messages, 1, 40)
      expect(messages.every((message) => message.transport === transport)).toBe(true)
      expect(fixture.requests.every((request) => request.transport === transport)).toBe(true)
    })

    it('resumes after the server drops the connection mid-stream, without loss or duplicates', async () => {
      await fixture.resetPush()
      await tab.open({ bundle })
      // The test cuts the connection: Chromium logs that for the HTTP transports.
      tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING/)
      await tab.start(options(transport), { types: ['tick'] })
      await tab.waitForStatus({ state: 'open' })
      publishRange(1, 5)
      await tab.waitForMessages(5)
      // Cut right after the next batch is written: some of it may be on the wire, some lost.
      publishRange(6, 10)
      await new Promise<void>((resolve) => setImmediate(() => resolve()))
      // (long-poll: that batch ended the held poll; the cut then hits the next one.)
      await waitFor(() => fixture.push.clientCount > 0, 'a live connection to cut')
      const cutAt = fixture.requests.length
      fixture.push.disconnectAll()
      // Published while the client is away: only the resume point can bring these back.
      publishRange(11, 15)
      await tab.waitForStatus({ state: 'reconnecting', code: 'network' })
      await tab.waitForStatus({ state: 'open' }, 2)
      publishRange(16, 20)
      await tab.waitForMessages(20)
      expectRange(await tab.messages(), 1, 20)
      const resumed = fixture.requests.slice(cutAt).map((request) => {
        const query = new URL(request.url, fixture.origin).searchParams.get('lastEventId')
        return request.headers['last-event-id'] || query
      })
      expect(resumed.length).toBeGreaterThan(0)
      expect(resumed.every((id) => Number(id) >= 5)).toBe(true)
    })

    it('close() leaves no connection, timer or request behind', async () => {
      await fixture.resetPush({ heartbeatMs: 100, pollTimeoutMs: 100 })
      // Fake timers in the page: after close() the page's clock is run far ahead, so any
      // retry, poll or watchdog timer left behind would fire and show up as a request.
      await tab.page.clock.install()
      await tab.open({ bundle })
      await tab.start(options(transport, { heartbeatTimeoutMs: 1000 }), { types: ['tick'] })
      await tab.waitForStatus({ state: 'open' })
      publishRange(1, 3)
      await tab.waitForMessages(3)
      await tab.page.evaluate(() => (window as unknown as TestWindow).pwTest.client!.close())
      await waitFor(() => fixture.openConnections() === 0, 'the server to see the connection end')
      const seenByPage = tab.requests.length
      const seenByServer = fixture.requests.length
      await tab.page.clock.runFor(120_000)
      publishRange(4, 6)
      // A request the page issues now is ordered after anything the client's timers started.
      await tab.page.evaluate(() => fetch('/harness.js?sentinel').then((response) => response.text()))
      await waitFor(() => tab.requests.some((request) => request.url.endsWith('?sentinel')), 'the sentinel request')
      expect(tab.requests.slice(seenByPage).map((request) => request.url)).toEqual([`${fixture.origin}/harness.js?sentinel`])
      expect(fixture.requests.length).toBe(seenByServer)
      expect(fixture.requests.every((request) => request.ended)).toBe(true)
      expect((await tab.statuses()).at(-1)).toMatchObject({ state: 'closed', code: null })
      expect(await tab.messages()).toHaveLength(3)
    })

    it('reopens a stalled stream when the heartbeat times out', async () => {
      await fixture.resetPush({ heartbeatMs: 100, pollTimeoutMs: 200 })
      fixture.misbehave('stall', transport === 'websocket' ? 'websocket' : 'http', 1)
      await tab.open({ bundle })
      await tab.start(options(transport, { heartbeatTimeoutMs: 800 }), { types: ['tick'] })
      await tab.waitForStatus({ state: 'reconnecting', code: 'heartbeat' })
      await tab.waitForStatus({ state: 'open' }, 2)
      publishRange(1, 5)
      expectRange(await tab.waitForMessages(5), 1, 5)
      expect(fixture.requests[0]).toMatchObject({ answeredBy: 'stall', ended: true })
      expect(fixture.requests[1]).toMatchObject({ answeredBy: 'push', transport })
    })
  })

  describe.each(HTTP_STATUS_TRANSPORTS)('transports: [%s], HTTP statuses', (transport) => {
    it('stops for good on 204', async () => {
      await fixture.resetPush()
      fixture.misbehave('no-content', 'http')
      tab.errors.allowNetworkError(/status of 204/)
      await tab.page.clock.install()
      await tab.open({ bundle })
      await tab.start(options(transport))
      await tab.waitForStatus({ state: 'closed', code: 'closed-by-server' })
      // Run far past any backoff: a client that kept retrying would ask again.
      await tab.page.clock.runFor(120_000)
      expect(fixture.requests.map((request) => request.answeredBy)).toEqual(['no-content'])
      expect(await tab.page.evaluate(() => (window as unknown as TestWindow).pwTest.client!.state)).toBe('closed')
    })

    it('re-evaluates headers after a 401 and connects with the fresh ones', async () => {
      await fixture.resetPush({ authorize: (req) => req.headers.authorization === 'Bearer fresh' })
      tab.errors.allowNetworkError(/status of 401/)
      await tab.open({ bundle })
      // The first token has expired by the time the server checks it; the next one is good.
      await tab.start(options(transport), { tokens: ['Bearer stale', 'Bearer fresh'] })
      await tab.waitForStatus({ state: 'open' })
      publishRange(1, 2)
      await tab.waitForMessages(2)
      const statuses = await tab.statuses()
      expect(statuses.some((status) => status.code === 'auth')).toBe(true)
      expect(fixture.requests.slice(0, 2).map((request) => request.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh'])
      expect(await tab.page.evaluate(() => (window as unknown as TestWindow).pwTest.log.headerCalls)).toBe(2)
    })

    it('stops with an auth error when the re-evaluated headers are refused too', async () => {
      await fixture.resetPush({ authorize: () => false })
      tab.errors.allowNetworkError(/status of 401/)
      await tab.open({ bundle })
      await tab.start(options(transport), { tokens: ['Bearer attempt-1', 'Bearer attempt-2', 'Bearer attempt-3'] })
      await tab.waitForStatus({ state: 'closed', code: 'auth' })
      expect(fixture.requests.map((request) => request.headers.authorization)).toEqual(['Bearer attempt-1', 'Bearer attempt-2'])
    })
  })
})
