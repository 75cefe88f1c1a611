import type { Page } from 'playwright-core'
import type { PushClientOptions } from '../../src/index'
import type { LaunchedBrowser } from './chromium'
import { minimizeWindow, watchPageErrors, type PageErrorWatch } from './chromium'
import type { FixtureServer, PageSpec } from './fixture-server'

/** A message as `harness.js` records it. */
export interface LoggedMessage {
  type: string
  data: unknown
  id?: string
  transport: string
}

/** A status as `harness.js` records it. */
export interface LoggedStatus {
  state: string
  transport: string | null
  code: string | null
  message: string | null
  /** While `reconnecting`: the wait before the next try; null when none is scheduled. */
  delayMs: number | null
}

/** Everything `harness.js` renders into #pw-log. */
export interface PageLog {
  messages: LoggedMessage[]
  statuses: LoggedStatus[]
  /** Outcomes of the page's `send()` calls in the order they settled: `'ok'` or `'error: <code> <message>'`. */
  sends: string[]
  /** Calls of the `headers` function built from `setup.tokens`. */
  headerCalls: number
  /** `client.state` as of the last status or close. */
  state: string | null
  /** The `setup.probe` paths that were undefined before the bundle loaded. */
  missingAtLoad: string[]
  /** What `createPushClient` threw, if it did. */
  startError: string | null
  /** Milliseconds from the start of the page load to the first message, once there is one. */
  firstMessageMs: number | null
}

/** What `harness.js` sets up around the client, besides its options. */
export interface StartSetup {
  /** Event types to listen to (native EventSource dispatches only those and `message`). */
  types?: string[]
  /** The `Authorization` header of each connect in turn, the last one repeating. */
  tokens?: string[]
  /** Global paths (`'fetch'`, `'Array.from'`) whose absence before the bundle loads is logged. */
  probe?: string[]
  /** The body of a `websocketFormat` function of `frame`, made in the page (functions are no JSON). */
  websocketFormat?: string
}

/** The client a page starts once it has loaded. Options travel as JSON. */
export interface StartSpec {
  options: PushClientOptions
  setup?: StartSetup
}

/** One request the page made, from playwright's view of its network. */
export interface PageRequest {
  url: string
  /** `'fetch'`, `'xhr'`, `'eventsource'`, `'websocket'`, `'script'`… */
  kind: string
}

/** A tab bound to a fixture server, one per test. */
export interface TestPage {
  page: Page
  errors: PageErrorWatch
  /** Requests (and WebSocket opens) the page made since the last {@link TestPage.open}. */
  readonly requests: readonly PageRequest[]
  /** Loads a test page, and starts a client in it once loaded when `start` is given. */
  open(spec: PageSpec, start?: StartSpec): Promise<void>
  /** Clicks the page's close button (`client.close()`). */
  closeClient(): Promise<void>
  /** Calls `client.send(text)` in the page and resolves with its outcome (see {@link PageLog.sends}). */
  send(text: string): Promise<string>
  /**
   * Takes the browser off the network (playwright's `setOffline`, i.e. DevTools network
   * emulation) or back on, and resolves once the page has seen its `offline`/`online` event.
   */
  setOffline(offline: boolean): Promise<void>
  /**
   * Minimises (or restores) the tab's window and resolves once the page has seen
   * `visibilitychange` to `hidden` (or `visible`). Needs `launchBrowser({ realVisibility: true })`.
   */
  setHidden(hidden: boolean): Promise<void>
  /**
   * Runs the page's clock `ms` ahead (needs `page.clock.install()` before {@link TestPage.open})
   * and returns the requests the page made meanwhile: whatever a retry, poll or watchdog timer
   * started. A sentinel request the page makes afterwards marks the end of that window.
   */
  requestsAfterTimers(ms: number): Promise<PageRequest[]>
  log(): Promise<PageLog>
  messages(): Promise<LoggedMessage[]>
  statuses(): Promise<LoggedStatus[]>
  /** Resolves once the page shows at least `count` messages. */
  waitForMessages(count: number): Promise<LoggedMessage[]>
  /** Resolves once the page shows `occurrence` (default 1) statuses matching every given field. */
  waitForStatus(match: { state?: string; transport?: string; code?: string }, occurrence?: number): Promise<void>
  /**
   * Leaves the page (so errors on unload count too), closes the tab, and returns the
   * unexpected errors it saw.
   */
  close(): Promise<string[]>
}

// Shorter than the test timeout, so a wait that fails says what it waited for.
const WAIT_TIMEOUT_MS = 10000

/**
 * Opens a tab for `fixture` that logs its requests and errors. The page is read through the
 * DOM only (see harness.js), so the same calls work where the modern globals were removed.
 */
export async function openTestPage(browser: LaunchedBrowser, fixture: FixtureServer): Promise<TestPage> {
  const page = await browser.newPage()
  page.setDefaultTimeout(WAIT_TIMEOUT_MS)
  // Tabs of one file share the browser's profile: what an earlier test's client kept in
  // localStorage (the transport it fell back to) must not steer this test's client.
  const session = await page.context().newCDPSession(page)
  await session.send('Storage.clearDataForOrigin', { origin: fixture.origin, storageTypes: 'local_storage' })
  await session.detach()
  const errors = watchPageErrors(page)
  let requests: PageRequest[] = []
  // Network emulation and the window state outlive the tab: close() puts them back for the next test.
  let offline = false
  let hidden = false
  page.on('request', (request) => requests.push({ url: request.url(), kind: request.resourceType() }))
  page.on('websocket', (socket) => requests.push({ url: socket.url(), kind: 'websocket' }))

  async function log(): Promise<PageLog> {
    return JSON.parse((await page.locator('#pw-log').textContent()) || '{}') as PageLog
  }

  async function setOffline(value: boolean): Promise<void> {
    offline = value
    await page.context().setOffline(value)
    await page.locator(`body[data-online="${!value}"]`).waitFor({ state: 'attached' })
  }

  async function setHidden(value: boolean): Promise<void> {
    hidden = value
    await minimizeWindow(page, value)
    await page.locator(`body[data-visibility="${value ? 'hidden' : 'visible'}"]`).waitFor({ state: 'attached' })
  }

  return {
    page,
    errors,
    get requests() {
      return requests
    },
    async open(spec, start) {
      requests = []
      const hash = start ? '#' + encodeURIComponent(JSON.stringify(start)) : ''
      const url = fixture.pageUrl(spec)
      // To the page it is on, goto would only move to the new fragment: the page must load anew.
      if (page.url().split('#')[0] === url) await page.goto('about:blank')
      await page.goto(url + hash)
      await page.locator('body[data-harness=ready]').waitFor({ state: 'attached' })
    },
    closeClient: () => page.click('#close'),
    async send(text) {
      const settled = await page.locator('#sends > li').count()
      await page.fill('#send-data', text)
      await page.click('#send')
      return (await page.locator('#sends > li').nth(settled).textContent()) || ''
    },
    setOffline,
    setHidden,
    async requestsAfterTimers(ms) {
      const before = requests.length
      await page.clock.runFor(ms)
      await page.click('#sentinel')
      const isSentinel = (request: PageRequest) => request.url.indexOf('?sentinel') !== -1
      await waitFor(() => requests.slice(before).some(isSentinel), 'the sentinel request')
      return requests.slice(before).filter((request) => !isSentinel(request))
    },
    log,
    messages: async () => (await log()).messages,
    statuses: async () => (await log()).statuses,
    async waitForMessages(count) {
      await page.locator('#messages > li').nth(count - 1).waitFor({ state: 'attached' })
      return (await log()).messages
    },
    async waitForStatus(match, occurrence = 1) {
      const attributes = Object.entries(match)
        .map(([key, value]) => `[data-${key}="${value}"]`)
        .join('')
      await page.locator(`#statuses > li${attributes}`).nth(occurrence - 1).waitFor({ state: 'attached' })
    },
    async close() {
      if (offline) await page.context().setOffline(false)
      if (hidden) await setHidden(false)
      await page.goto('about:blank')
      await page.close()
      return errors.unexpected()
    },
  }
}

/** Polls `predicate` on the Node side until it holds; for state the server owns. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The ids the push server gives its events `from` to `to`: "from", "from + 1", … */
export function expectedIds(from: number, to: number): string[] {
  const ids: string[] = []
  for (let id = from; id <= to; id++) ids.push(String(id))
  return ids
}
