import { beforeEach, describe, expect, it } from 'vitest'
import type { PushClientOptions, TransportName } from '../../src/index'
import { expectRange, forced, publishRange as publishOn, resumePoints, TRANSPORTS } from './stream-helpers'
import { useBrowserSuite } from './suite'
import { waitFor } from './test-page'

// Pages here can really be hidden: the window is minimised (see `LaunchOptions.realVisibility`
// for why playwright's own launch cannot do that, and `TestPage.setHidden`). Offline is
// playwright's `setOffline`, DevTools network emulation: Chromium then flips `navigator.onLine`
// and fires `offline`/`online` in the page, which the harness shows on <body>.
const suite = useBrowserSuite({ realVisibility: true })

// Far longer than any test: only the `online` event, never the backoff timer, can explain a
// reconnect that happens within one.
const SLOW_RETRY = { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 }
// What Chromium logs for a stream cut by the server or failed by the emulated network.
const DROPPED_OR_OFFLINE = /ERR_(INCOMPLETE_CHUNKED_ENCODING|INTERNET_DISCONNECTED|EMPTY_RESPONSE|CONNECTION_RESET|CONNECTION_CLOSED)/

function publishRange(from: number, to: number): void {
  publishOn(suite.fixture.push, from, to)
}

/** States the page's client went through from status number `from` on. */
async function statesSince(from: number): Promise<string[]> {
  return (await suite.tab.statuses()).slice(from).map((status) => status.state)
}

/** Starts a client forced onto `transport` and waits until it has delivered events 1 to 3. */
async function openPastFirstEvents(transport: TransportName, extra: Partial<PushClientOptions> = {}): Promise<void> {
  await suite.fixture.resetPush()
  await suite.tab.open({ bundle: 'umd' }, forced(transport, extra))
  await suite.tab.waitForStatus({ state: 'open', transport })
  publishRange(1, 3)
  await suite.tab.waitForMessages(3)
}

/**
 * Publishes events 4 to 6 while the browser is offline, runs the page's clock far past the
 * backoff, and checks that no retry timer fired meanwhile. Returns the server's request count.
 */
async function expectNoRetryWhileOffline(): Promise<number> {
  const requestsWhileOffline = suite.fixture.requests.length
  publishRange(4, 6)
  expect(await suite.tab.requestsAfterTimers(2 * SLOW_RETRY.maxDelayMs)).toEqual([])
  expect(suite.fixture.requests.length).toBe(requestsWhileOffline)
  return requestsWhileOffline
}

/** Goes back online and checks that the client reconnects at once, resuming after event 3. */
async function expectResumeWhenOnline(transport: TransportName, requestsWhileOffline: number): Promise<void> {
  await suite.tab.setOffline(false)
  // The page's clock is not run on: a reconnect now can only come from the `online` event.
  await suite.tab.waitForStatus({ state: 'open', transport }, 2)
  publishRange(7, 9)
  expectRange(await suite.tab.waitForMessages(9), 1, 9)
  expect(resumePoints(suite.fixture.requests.slice(requestsWhileOffline)).slice(0, 1)).toEqual(['3'])
}

describe.each(TRANSPORTS)('page lifecycle: [%s]', (transport) => {
  describe('offline', () => {
    beforeEach(async () => {
      suite.tab.errors.allowNetworkError(DROPPED_OR_OFFLINE)
      // Fake timers: while offline the page's clock is run far past the backoff, so a retry
      // timer left running would fire and show up as a request.
      await suite.tab.page.clock.install()
    })

    it('does not retry while the browser is offline, and resumes at once when it is back online', async () => {
      await openPastFirstEvents(transport, { retry: SLOW_RETRY })
      await suite.tab.setOffline(true)
      const droppedAt = (await suite.tab.statuses()).length
      // The emulated network fails new requests but leaves open streams alone (Chromium 156 keeps
      // all four transports' connections to 127.0.0.1): the server cuts it, so that the client
      // loses its connection while the browser is offline.
      suite.fixture.push.disconnectAll()
      await suite.tab.waitForStatus({ state: 'reconnecting' })
      const requestsWhileOffline = await expectNoRetryWhileOffline()
      // Waiting for the network, not for a timer: no delay to announce.
      expect((await suite.tab.statuses()).slice(droppedAt)).toEqual([expect.objectContaining({ state: 'reconnecting', delayMs: null })])
      await expectResumeWhenOnline(transport, requestsWhileOffline)
      expect(await statesSince(droppedAt)).toEqual(['reconnecting', 'connecting', 'open'])
    })

    it('cancels a backoff wait when the browser goes offline during it, and resumes at once when back online', async () => {
      await openPastFirstEvents(transport, { retry: SLOW_RETRY })
      // The other order: the connection is lost first, while the browser still says it is online.
      suite.fixture.push.disconnectAll()
      await suite.tab.waitForStatus({ state: 'reconnecting' })
      expect((await suite.tab.statuses()).at(-1)?.delayMs).toBe(SLOW_RETRY.initialDelayMs)
      await suite.tab.setOffline(true)
      const requestsWhileOffline = await expectNoRetryWhileOffline()
      // The announced wait no longer holds: the client now waits for the network instead.
      expect((await suite.tab.statuses()).at(-1)).toMatchObject({ state: 'reconnecting', delayMs: null })
      await expectResumeWhenOnline(transport, requestsWhileOffline)
    })
  })

  it('with pauseWhenHidden, closes while the page is hidden and resumes when it is visible again', async () => {
    await openPastFirstEvents(transport, { pauseWhenHidden: true })
    await suite.tab.setHidden(true)
    await suite.tab.waitForStatus({ state: 'idle' })
    await waitFor(() => suite.fixture.openConnections() === 0, 'the server to see the stream end')
    const requestsWhileHidden = suite.fixture.requests.length
    publishRange(4, 6)

    await suite.tab.setHidden(false)
    await suite.tab.waitForStatus({ state: 'open', transport }, 2)
    publishRange(7, 9)
    expectRange(await suite.tab.waitForMessages(9), 1, 9)
    expect(await statesSince(0)).toEqual(['connecting', 'open', 'idle', 'connecting', 'open'])
    // Between idle and visible again nothing connected; the first request after resumed from event 3.
    expect(resumePoints(suite.fixture.requests.slice(requestsWhileHidden)).slice(0, 1)).toEqual(['3'])
  })
})
