import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PushClientOptions, TransportName } from '../../src/index'
import type { PushServer } from '../../src/server'
import { launchBrowser, type LaunchedBrowser } from './chromium'
import { startFixtureServer, STREAM_PATH, type FixtureServer } from './fixture-server'
import { openShareTab, theLeader, type HarnessMessage, type ShareSetup, type ShareTab } from './share-tabs'
import { FAST_RETRY, TRANSPORTS } from './stream-helpers'
import { expectedIds, waitFor } from './test-page'

// Several tabs of one browser context (one origin, one cookie jar, one HTTP/1.1 connection
// pool) against pushwire/server, each page running share-harness.js on the UMD bundle.

let browser: LaunchedBrowser
let fixture: FixtureServer
/** Tabs kept between tests (their pages are navigated, not reopened: quicker). */
const pool: ShareTab[] = []
/** Tabs the current test opened or used; checked for page errors and emptied after it. */
let used: ShareTab[] = []

beforeAll(async () => {
  ;[browser, fixture] = await Promise.all([launchBrowser(), startFixtureServer()])
})
afterAll(async () => {
  await Promise.all([browser && browser.close(), fixture && fixture.close()])
})
afterEach(async () => {
  for (let i = pool.length - 1; i >= 0; i--) if (pool[i].page.isClosed()) pool.splice(i, 1)
  const open = used.filter((tab, index) => !tab.page.isClosed() && used.indexOf(tab) === index)
  used = []
  const errors = open.flatMap((tab) => tab.unexpectedErrors())
  // Leaving the page closes its client (and its channels).
  await Promise.all(open.map((tab) => tab.page.goto('about:blank')))
  expect(errors).toEqual([])
})

/** `count` tabs from the pool, each started with `options` and its `setup`. */
async function openTabs(count: number, options: PushClientOptions, setup: ShareSetup | ((index: number) => ShareSetup) = {}): Promise<ShareTab[]> {
  while (pool.length < count) pool.push(await openShareTab(await browser.newPage(), fixture))
  const tabs = pool.slice(0, count)
  used.push(...tabs)
  // One after the other: the first becomes the leader, as when a user opens tabs.
  for (let i = 0; i < count; i++) await tabs[i].open(options, typeof setup === 'function' ? setup(i) : setup)
  return tabs
}

/** Tabs of their own (not pooled: `init` stays with a page) that run `init` before every load. */
async function openOwnTabs(count: number, init: () => void, options: PushClientOptions, spec = {}): Promise<ShareTab[]> {
  const tabs: ShareTab[] = []
  for (let i = 0; i < count; i++) {
    const tab = await openShareTab(await browser.newPage(), fixture, init)
    used.push(tab)
    tabs.push(tab)
    await tab.open(options, {}, spec)
  }
  return tabs
}

async function closeAll(tabs: ShareTab[]): Promise<void> {
  await Promise.all(tabs.map((tab) => tab.page.close()))
}

/** Publishes `from`..`to`: every third a `tick`, the others plain messages. */
function publishRange(push: PushServer, from: number, to: number): void {
  for (let n = from; n <= to; n++) push.publish(n % 3 === 0 ? { event: 'tick', data: `tick ${n}` } : { data: `message ${n}` })
}

function expectRange(messages: HarnessMessage[], from: number, to: number): void {
  expect(messages.map((message) => message[0])).toEqual(expectedIds(from, to))
  messages.forEach(([id, type, data]) => {
    const n = Number(id)
    expect([type, data]).toEqual(n % 3 === 0 ? ['tick', `tick ${n}`] : ['message', `message ${n}`])
  })
}

async function expectEveryTabHas(tabs: ShareTab[], from: number, to: number): Promise<void> {
  await Promise.all(tabs.map((tab) => tab.waitForMessages(to - from + 1)))
  for (const tab of tabs) expectRange(await tab.messages(), from, to)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.each<[string, TransportName[] | undefined]>([['default transports', undefined], ...TRANSPORTS.map((name): [string, TransportName[]] => [name, [name]])])(
  'shared across tabs: %s',
  (_name, transports) => {
    it('five tabs hold one server connection, and every tab gets every event in order', async () => {
      await fixture.resetPush({ pollTimeoutMs: 1000 })
      const options = { url: STREAM_PATH, transports, retry: FAST_RETRY }
      // Only followers listen to `tick`: native EventSource dispatches it only once the leader
      // has learnt the type from them.
      const tabs = await openTabs(5, options, (index) => (index ? { types: ['tick'] } : {}))
      const first = tabs[0]
      await Promise.all(tabs.map((tab) => tab.waitForState('open')))
      expect(await theLeader(tabs)).toBe(first)
      publishRange(fixture.push, 1, 30)
      await expectEveryTabHas(tabs, 1, 30)

      expect(fixture.peakConnections()).toBe(1)
      const transport = (await first.status()).transport
      if (transports) expect(transport).toBe(transports[0])
      for (const tab of tabs) {
        expect((await tab.messages()).every((message) => message[3] === transport)).toBe(true)
        expect(await tab.status()).toMatchObject({ state: 'open', transport, role: tab === first ? 'leader' : 'follower' })
      }
    })
  },
)

describe('shared across tabs', () => {
  it('lets ten tabs stream under HTTP/1.1, where unshared the seventh tab hangs', async () => {
    await fixture.resetPush()
    // Unshared: six streams hold every connection Chromium allows to one host over HTTP/1.1.
    // The pages load first (a page load needs a connection too), then all connect.
    const unshared = await openTabs(7, { url: STREAM_PATH, connectTimeoutMs: 60_000 }, { unshared: true, wait: true })
    for (const tab of unshared) await tab.connect()
    await Promise.all(unshared.slice(0, 6).map((tab) => tab.waitForState('open')))
    await waitFor(() => fixture.openConnections() === 6, 'six streams')
    publishRange(fixture.push, 1, 3)
    await Promise.all(unshared.slice(0, 6).map((tab) => tab.waitForMessages(3)))
    // The seventh has asked; its request waits for a free connection, with no error to show.
    await sleep(1000)
    expect(await unshared[6].status()).toMatchObject({ state: 'connecting' })
    expect(await unshared[6].messages()).toEqual([])
    expect(fixture.requests).toHaveLength(6)
    await Promise.all(unshared.map((tab) => tab.page.goto('about:blank')))
    await waitFor(() => fixture.openConnections() === 0, 'the unshared streams to end')

    await fixture.resetPush()
    const shared = await openTabs(10, { url: STREAM_PATH })
    await Promise.all(shared.map((tab) => tab.waitForState('open')))
    publishRange(fixture.push, 1, 20)
    await expectEveryTabHas(shared, 1, 20)
    expect(fixture.peakConnections()).toBe(1)
  })

  it('hands over on page.close() and on a renderer crash: across three hand-overs during 2,400 events every remaining tab has every id once, in order', async () => {
    await fixture.resetPush({ bufferSize: 5000 })
    const total = 2400
    const tabs = await openTabs(5, { url: STREAM_PATH, retry: FAST_RETRY })
    await Promise.all(tabs.map((tab) => tab.waitForState('open')))
    let published = 0
    const publishing = (async () => {
      // About 400 events a second, in bursts as a busy server sends them.
      while (published < total) {
        publishRange(fixture.push, published + 1, published + 40)
        published += 40
        await sleep(100)
      }
    })()
    const alive = tabs.slice()
    async function handOver(at: number, how: 'close' | 'crash'): Promise<void> {
      await waitFor(() => published >= at, `event ${at}`, 30_000)
      const leader = await theLeader(alive)
      alive.splice(alive.indexOf(leader), 1)
      if (how === 'close') {
        await leader.page.close()
      } else {
        const session = await leader.page.context().newCDPSession(leader.page)
        // The renderer dies: no pagehide, no goodbye; its lock is released by the browser.
        session.send('Page.crash').catch(() => {})
        await new Promise((resolve) => leader.page.once('crash', resolve))
        await leader.page.close()
      }
    }
    await handOver(600, 'close')
    await handOver(1200, 'crash')
    await handOver(1800, 'close')
    await publishing
    await theLeader(alive)
    await expectEveryTabHas(alive, 1, total)
  })

  it('close() in a follower detaches only that tab; close() in the leader hands over', async () => {
    await fixture.resetPush()
    const tabs = await openTabs(3, { url: STREAM_PATH, retry: FAST_RETRY })
    await Promise.all(tabs.map((tab) => tab.waitForState('open')))
    const leader = await theLeader(tabs)
    const [follower, other] = tabs.filter((tab) => tab !== leader)
    publishRange(fixture.push, 1, 5)
    await expectEveryTabHas(tabs, 1, 5)

    await follower.closeClient()
    publishRange(fixture.push, 6, 10)
    await expectEveryTabHas([leader, other], 1, 10)
    expect(await follower.status()).toMatchObject({ state: 'closed', role: 'follower' })
    expectRange(await follower.messages(), 1, 5)
    expect(fixture.peakConnections()).toBe(1)

    await leader.closeClient()
    expect(await theLeader([other])).toBe(other)
    publishRange(fixture.push, 11, 15)
    await expectEveryTabHas([other], 1, 15)
    expect(await leader.status()).toMatchObject({ state: 'closed', role: 'leader' })
    expectRange(await leader.messages(), 1, 10)
  })

  it("sends from a follower through the leader's WebSocket, and as its own POST on other transports", async () => {
    const received: Array<[string, string]> = []
    await fixture.resetPush({ onMessage: (data, info) => void received.push([data, info.transport]) })
    const [leader, follower] = await openTabs(2, { url: STREAM_PATH, transports: ['websocket'] })
    await Promise.all([leader, follower].map((tab) => tab.waitForState('open')))
    expect(await follower.send('through the leader')).toBe('ok')
    expect(received).toEqual([['through the leader', 'websocket']])
    expect(fixture.requests.filter((request) => request.method === 'POST')).toEqual([])

    await Promise.all([leader, follower].map((tab) => tab.page.goto('about:blank')))
    await fixture.resetPush({ onMessage: (data, info) => void received.push([data, info.transport]) })
    const [, poster] = await openTabs(2, { url: STREAM_PATH, transports: ['fetch-sse'] })
    await poster.waitForState('open')
    expect(await poster.send('by itself')).toBe('ok')
    expect(received.slice(1)).toEqual([['by itself', 'http']])
  })

  it('elects one leader over BroadcastChannel where the Web Locks API is missing, and hands over when it closes', async () => {
    await fixture.resetPush()
    const tabs = await openOwnTabs(3, () => delete (Navigator.prototype as { locks?: unknown }).locks, { url: STREAM_PATH, retry: FAST_RETRY })
    await Promise.all(tabs.map((tab) => tab.waitForState('open')))
    expect(await tabs[0].page.evaluate(() => 'locks' in navigator)).toBe(false)
    const leader = await theLeader(tabs)
    publishRange(fixture.push, 1, 10)
    await expectEveryTabHas(tabs, 1, 10)
    expect(fixture.peakConnections()).toBe(1)

    await leader.page.close()
    const rest = tabs.filter((tab) => tab !== leader)
    await theLeader(rest)
    publishRange(fixture.push, 11, 20)
    await expectEveryTabHas(rest, 1, 20)
    await closeAll(rest)
  })

  it('connects by itself where BroadcastChannel is missing', async () => {
    await fixture.resetPush()
    const tabs = await openOwnTabs(2, () => delete (window as { BroadcastChannel?: unknown }).BroadcastChannel, { url: STREAM_PATH })
    await Promise.all(tabs.map((tab) => tab.waitForState('open')))
    for (const tab of tabs) expect((await tab.status()).role).toBeUndefined()
    publishRange(fixture.push, 1, 5)
    await expectEveryTabHas(tabs, 1, 5)
    expect(fixture.peakConnections()).toBe(2)
    await closeAll(tabs)
  })
})
