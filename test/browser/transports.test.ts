import { describe, expect, it } from 'vitest'
import type { TransportName } from '../../src/index'
import type { Bundle } from './fixture-server'
import { expectRange, forced, publishRange as publishOn, resumePoints, TRANSPORTS } from './stream-helpers'
import { useBrowserSuite } from './suite'
import { waitFor } from './test-page'

// Only these two see HTTP statuses and send headers (contract: `headers`, and "where the status is
// visible to the client"): native EventSource and WebSocket hide a 204 or 401 from script.
const HTTP_STATUS_TRANSPORTS: TransportName[] = ['fetch-sse', 'long-poll']
const BUNDLES: Bundle[] = ['umd', 'esm']

const suite = useBrowserSuite()

function publishRange(from: number, to: number): void {
  publishOn(suite.fixture.push, from, to)
}

describe.each(BUNDLES)('%s bundle', (bundle) => {
  describe.each(TRANSPORTS)('transports: [%s]', (transport) => {
    it('delivers every event in order, on the forced transport', async () => {
      await suite.fixture.resetPush()
      await suite.tab.open({ bundle }, forced(transport))
      await suite.tab.waitForStatus({ state: 'open', transport })
      publishRange(1, 40)
      const messages = await suite.tab.waitForMessages(40)
      expectRange(messages, 1, 40)
      expect(messages.every((message) => message.transport === transport)).toBe(true)
      expect(suite.fixture.requests.every((request) => request.transport === transport)).toBe(true)
      const script = bundle === 'esm' ? '/dist/index.mjs' : '/dist/pushwire.umd.js'
      expect(suite.tab.requests.some((request) => request.url === suite.fixture.origin + script)).toBe(true)
      // One connection carried it all (long-poll: one request per poll, one at a time).
      if (transport !== 'long-poll') expect(suite.fixture.requests).toHaveLength(1)
      expect(suite.fixture.openConnections()).toBeLessThanOrEqual(1)
    })

    it('resumes after the server drops the connection mid-stream, without loss or duplicates', async () => {
      await suite.fixture.resetPush()
      // The test cuts the connection: Chromium logs that for the HTTP transports.
      suite.tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING/)
      await suite.tab.open({ bundle }, forced(transport))
      await suite.tab.waitForStatus({ state: 'open' })
      publishRange(1, 5)
      await suite.tab.waitForMessages(5)
      // Cut right after the next batch is written: some of it may be on the wire, some lost.
      publishRange(6, 10)
      await new Promise<void>((resolve) => setImmediate(() => resolve()))
      // (long-poll: that batch ended the held poll; the cut then hits the next one.)
      await waitFor(() => suite.fixture.push.clientCount > 0, 'a live connection to cut')
      const cutAt = suite.fixture.requests.length
      suite.fixture.push.disconnectAll()
      // Published while the client is away: only the resume point can bring these back.
      publishRange(11, 15)
      await suite.tab.waitForStatus({ state: 'reconnecting', code: 'network' })
      await suite.tab.waitForStatus({ state: 'open' }, 2)
      publishRange(16, 20)
      await suite.tab.waitForMessages(20)
      expectRange(await suite.tab.messages(), 1, 20)
      // The client reconnected once, by itself: no second connection left running beside it.
      expect(suite.fixture.openConnections()).toBeLessThanOrEqual(1)
      const resumed = resumePoints(suite.fixture.requests.slice(cutAt))
      expect(resumed.length).toBeGreaterThan(0)
      expect(resumed.every((id) => Number(id) >= 5)).toBe(true)
    })

    it('close() leaves no connection, timer or request behind', async () => {
      await suite.fixture.resetPush({ heartbeatMs: 100, pollTimeoutMs: 100 })
      // Fake timers in the page: after close() the page's clock is run far ahead, so any
      // retry, poll or watchdog timer left behind would fire and show up as a request.
      await suite.tab.page.clock.install()
      await suite.tab.open({ bundle }, forced(transport, { heartbeatTimeoutMs: 1000 }))
      await suite.tab.waitForStatus({ state: 'open' })
      publishRange(1, 3)
      await suite.tab.waitForMessages(3)
      await suite.tab.closeClient()
      await waitFor(() => suite.fixture.openConnections() === 0, 'the server to see the connection end')
      const seenByServer = suite.fixture.requests.length
      publishRange(4, 6)
      expect(await suite.tab.requestsAfterTimers(120_000)).toEqual([])
      expect(suite.fixture.requests.length).toBe(seenByServer)
      expect(suite.fixture.requests.every((request) => request.ended)).toBe(true)
      expect((await suite.tab.statuses()).at(-1)).toMatchObject({ state: 'closed', code: null })
      expect(await suite.tab.messages()).toHaveLength(3)
    })

    it('never delivers an event over maxMessageBytes: too-large, and the connection is reopened', async () => {
      await suite.fixture.resetPush()
      await suite.tab.open({ bundle }, forced(transport, { maxMessageBytes: 64 }))
      await suite.tab.waitForStatus({ state: 'open' })
      publishRange(1, 2)
      await suite.tab.waitForMessages(2)
      suite.fixture.push.publish({ data: 'x'.repeat(200) })
      await suite.tab.waitForStatus({ state: 'reconnecting', code: 'too-large' })
      // Reopened from the last event delivered, so the server sends the big one again: refused again.
      await suite.tab.waitForStatus({ state: 'reconnecting', code: 'too-large' }, 2)
      expectRange(await suite.tab.messages(), 1, 2)
    })

    it('reopens a stalled stream when the heartbeat times out', async () => {
      await suite.fixture.resetPush({ heartbeatMs: 100, pollTimeoutMs: 200 })
      suite.fixture.misbehave('stall', transport === 'websocket' ? 'websocket' : 'http', 1)
      await suite.tab.open({ bundle }, forced(transport, { heartbeatTimeoutMs: 800 }))
      await suite.tab.waitForStatus({ state: 'reconnecting', code: 'heartbeat' })
      await suite.tab.waitForStatus({ state: 'open' }, 2)
      publishRange(1, 5)
      expectRange(await suite.tab.waitForMessages(5), 1, 5)
      expect(suite.fixture.requests[0]).toMatchObject({ answeredBy: 'stall', ended: true })
      expect(suite.fixture.requests[1]).toMatchObject({ answeredBy: 'push', transport })
    })
  })

  describe.each(HTTP_STATUS_TRANSPORTS)('transports: [%s], HTTP statuses', (transport) => {
    it('stops for good on 204', async () => {
      await suite.fixture.resetPush()
      suite.fixture.misbehave('no-content', 'http')
      suite.tab.errors.allowNetworkError(/status of 204/)
      await suite.tab.page.clock.install()
      await suite.tab.open({ bundle }, forced(transport))
      await suite.tab.waitForStatus({ state: 'closed', code: 'closed-by-server' })
      // Run far past any backoff: a client that kept retrying would ask again.
      expect(await suite.tab.requestsAfterTimers(120_000)).toEqual([])
      expect(suite.fixture.requests.map((request) => request.answeredBy)).toEqual(['no-content'])
      expect((await suite.tab.log()).state).toBe('closed')
    })

    it('re-evaluates headers after a 401 and connects with the fresh ones', async () => {
      await suite.fixture.resetPush({ authorize: (req) => req.headers.authorization === 'Bearer fresh' })
      suite.tab.errors.allowNetworkError(/status of 401/)
      // The first token has expired by the time the server checks it; the next one is good.
      await suite.tab.open({ bundle }, forced(transport, {}, { tokens: ['Bearer stale', 'Bearer fresh'] }))
      await suite.tab.waitForStatus({ state: 'open' })
      publishRange(1, 2)
      await suite.tab.waitForMessages(2)
      const statuses = await suite.tab.statuses()
      expect(statuses.some((status) => status.code === 'auth')).toBe(true)
      expect(suite.fixture.requests.slice(0, 2).map((request) => request.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh'])
      expect((await suite.tab.log()).headerCalls).toBe(2)
    })

    it('stops with an auth error when the re-evaluated headers are refused too', async () => {
      await suite.fixture.resetPush({ authorize: () => false })
      suite.tab.errors.allowNetworkError(/status of 401/)
      await suite.tab.open({ bundle }, forced(transport, {}, { tokens: ['Bearer attempt-1', 'Bearer attempt-2', 'Bearer attempt-3'] }))
      await suite.tab.waitForStatus({ state: 'closed', code: 'auth' })
      expect(suite.fixture.requests.map((request) => request.headers.authorization)).toEqual(['Bearer attempt-1', 'Bearer attempt-2'])
    })
  })
})
