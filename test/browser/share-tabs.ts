import type { Page } from 'playwright-core'
import type { PushClientOptions } from '../../src/index'
import { minimizeWindow, watchPageErrors, type PageErrorWatch } from './chromium'
import type { FixtureServer, PageSpec } from './fixture-server'

/** What `share-harness.js` sets up around the client, besides its options. */
export interface ShareSetup {
  /** No `share` option: the tab connects by itself. */
  unshared?: boolean
  /** Event types to listen to (native EventSource dispatches only those and `message`). */
  types?: string[]
  /** Do not connect until {@link ShareTab.connect}. */
  wait?: boolean
}

/** A message as `share-harness.js` records it: `[id, type, data, transport]`. */
export type HarnessMessage = [id: string | undefined, type: string, data: unknown, transport: string]

/** One tab running `share-harness.js`. */
export interface ShareTab {
  page: Page
  errors: PageErrorWatch
  /** Loads the page and starts its client with `options`. */
  open(options: PushClientOptions, setup?: ShareSetup, spec?: Partial<PageSpec>): Promise<void>
  connect(): Promise<void>
  /** `client.close()` in the page. */
  closeClient(): Promise<void>
  messages(): Promise<HarnessMessage[]>
  /** `client.status` in the page (role included), read now. */
  status(): Promise<{ state: string; transport: string | null; role?: string }>
  /** Resolves once the page's client has delivered `count` messages. */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>
  waitForState(state: string): Promise<void>
  /** `client.send(text)` in the page; resolves with `'ok'` or the error's code and message. */
  send(text: string): Promise<string>
  /** Minimises or restores the tab's window; resolves once the page is hidden or visible. */
  setHidden(hidden: boolean): Promise<void>
  /** Errors the page logged that no test allowed, since the tab was last opened. */
  unexpectedErrors(): string[]
}

/**
 * Makes `page` a tab that runs `share-harness.js` against `fixture`, with an `init` script run
 * before every load (to take an API away).
 */
export async function openShareTab(page: Page, fixture: FixtureServer, init?: () => void): Promise<ShareTab> {
  page.setDefaultTimeout(10000)
  if (init) await page.addInitScript(init)
  const errors = watchPageErrors(page)
  let seenErrors = 0
  return {
    page,
    errors,
    async open(options, setup = {}, spec = {}) {
      seenErrors = errors.errors.length
      const hash = '#' + encodeURIComponent(JSON.stringify({ options, setup }))
      await page.goto(fixture.pageUrl({ bundle: 'umd', ...spec, harness: 'share' }) + hash)
      await page.locator('body[data-harness=ready]').waitFor({ state: 'attached' })
      const startError = await page.evaluate(() => (window as unknown as HarnessWindow).pw.startError)
      if (startError) throw new Error(`the page could not start its client: ${startError}`)
    },
    connect: () => page.evaluate(() => (window as unknown as HarnessWindow).pw.client.connect()),
    closeClient: () => page.evaluate(() => (window as unknown as HarnessWindow).pw.client.close()),
    messages: () => page.evaluate(() => (window as unknown as HarnessWindow).pw.messages),
    status: () => page.evaluate(() => (window as unknown as HarnessWindow).pw.client.status),
    async waitForMessages(count, timeoutMs = 10000) {
      // Polled by interval: a hidden page runs no animation frames.
      await page.waitForFunction((n) => (window as unknown as HarnessWindow).pw.messages.length >= n, count, { timeout: timeoutMs, polling: 50 })
    },
    async waitForState(state) {
      await page.locator(`body[data-state="${state}"]`).waitFor({ state: 'attached' })
    },
    send: (text) =>
      page.evaluate(
        (data) =>
          (window as unknown as HarnessWindow).pw.client.send(data).then(
            () => 'ok',
            (error: { code?: string; message?: string }) => `error: ${error.code} ${error.message}`,
          ),
        text,
      ),
    async setHidden(hidden) {
      await minimizeWindow(page, hidden)
      await page.waitForFunction((state) => document.visibilityState === state, hidden ? 'hidden' : 'visible', { polling: 50 })
    },
    unexpectedErrors() {
      const unexpected = errors.unexpected()
      return errors.errors.slice(seenErrors).filter((line) => unexpected.indexOf(line) !== -1)
    },
  }
}

interface HarnessWindow {
  pw: {
    messages: HarnessMessage[]
    client: {
      connect(): void
      close(): void
      send(data: string): Promise<void>
      status: { state: string; transport: string | null; role?: string }
    }
    startError: string | null
  }
}

/** The tabs whose client leads now. */
export async function leaders(tabs: ShareTab[]): Promise<ShareTab[]> {
  const roles = await Promise.all(tabs.map((tab) => tab.status()))
  return tabs.filter((_, index) => roles[index].role === 'leader')
}

/** Waits until exactly one of `tabs` leads with its connection open, and returns it. */
export async function theLeader(tabs: ShareTab[], timeoutMs = 10000): Promise<ShareTab> {
  let found: ShareTab[] = []
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    found = await leaders(tabs)
    if (found.length === 1 && (await found[0].status()).state === 'open') return found[0]
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`expected one open leader among ${tabs.length} tabs, found ${found.length}`)
}
