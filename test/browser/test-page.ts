import type { Page } from 'playwright-core'
import type { PushClient, PushClientOptions } from '../../src/index'
import type { LaunchedBrowser } from './chromium'
import { watchPageErrors, type PageErrorWatch } from './chromium'
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
}

/** What `harness.js` puts on `window`; use inside `page.evaluate` as `(window as unknown as TestWindow)`. */
export interface TestWindow {
  Pushwire: typeof import('../../src/index')
  pwTest: {
    log: { messages: LoggedMessage[]; statuses: LoggedStatus[]; headerCalls: number }
    client: PushClient | null
    start(options: PushClientOptions, setup: StartSetup): string | null
  }
}

/** What `harness.js` sets up around a client, besides its options. */
export interface StartSetup {
  /** Event types to listen to (native EventSource dispatches only those and `message`). */
  types?: string[]
  /** The `Authorization` header of each connect in turn, the last one repeating. */
  tokens?: string[]
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
  /** Loads a test page and waits for the bundle. */
  open(spec: PageSpec): Promise<void>
  /**
   * Leaves the page (so errors on unload count too), closes the tab, and returns the
   * unexpected errors it saw.
   */
  close(): Promise<string[]>
  /** `pwTest.start(options, setup)` in the page; returns the transport picked. */
  start(options: PushClientOptions, setup?: StartSetup): Promise<string | null>
  messages(): Promise<LoggedMessage[]>
  statuses(): Promise<LoggedStatus[]>
  /** Resolves once the page has recorded at least `count` messages. */
  waitForMessages(count: number): Promise<LoggedMessage[]>
  /** Resolves once a status has matched every given field `occurrence` times (1 by default). */
  waitForStatus(match: Partial<LoggedStatus>, occurrence?: number): Promise<void>
}

/** Opens a tab for `fixture` that logs its requests and errors. */
export async function openTestPage(browser: LaunchedBrowser, fixture: FixtureServer): Promise<TestPage> {
  const page = await browser.newPage()
  const errors = watchPageErrors(page)
  let requests: PageRequest[] = []
  page.on('request', (request) => requests.push({ url: request.url(), kind: request.resourceType() }))
  page.on('websocket', (socket) => requests.push({ url: socket.url(), kind: 'websocket' }))

  return {
    page,
    errors,
    get requests() {
      return requests
    },
    async open(spec) {
      requests = []
      await page.goto(fixture.pageUrl(spec))
      await page.waitForFunction(() => !!(window as unknown as TestWindow).Pushwire)
    },
    async close() {
      await page.goto('about:blank')
      await page.close()
      return errors.unexpected()
    },
    start: (options, setup = {}) =>
      page.evaluate(
        // Options travel as JSON; the harness builds the `headers` function from `setup.tokens`.
        ([o, s]) => (window as unknown as TestWindow).pwTest.start(o as PushClientOptions, s),
        [options as unknown, setup] as const,
      ),
    messages: () => page.evaluate(() => (window as unknown as TestWindow).pwTest.log.messages),
    statuses: () => page.evaluate(() => (window as unknown as TestWindow).pwTest.log.statuses),
    async waitForMessages(count) {
      await page.waitForFunction((n) => (window as unknown as TestWindow).pwTest.log.messages.length >= n, count)
      return page.evaluate(() => (window as unknown as TestWindow).pwTest.log.messages)
    },
    async waitForStatus(match, occurrence = 1) {
      await page.waitForFunction(
        ([m, n]) => {
          const matching = (window as unknown as TestWindow).pwTest.log.statuses.filter((status) => {
            for (const key in m) {
              if (status[key as keyof typeof status] !== m[key as keyof typeof m]) return false
            }
            return true
          })
          return matching.length >= n
        },
        [match, occurrence] as const,
      )
    },
  }
}

/** Polls `predicate` on the Node side until it holds; for state the server owns. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** `count` events as the push server numbers them: ids "from", "from + 1", … */
export function expectedIds(from: number, to: number): string[] {
  const ids: string[] = []
  for (let id = from; id <= to; id++) ids.push(String(id))
  return ids
}
