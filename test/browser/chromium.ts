import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium; `scripts/ensure-chromium.sh` installs it when it is missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

// Keep the browser from phoning home or updating itself mid-suite: traffic the tests did not
// cause would pollute the network logs the close() tests read.
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A running Chromium with a throw-away profile. */
export interface LaunchedBrowser {
  context: BrowserContext
  /** Opens a fresh tab. */
  newPage(): Promise<Page>
  /** Closes the browser and deletes its profile directory; safe to call twice. */
  close(): Promise<void>
}

/**
 * Launches headless Chromium on a fresh user-data-dir. Set `PUSHWIRE_HEADED=1` (with a display)
 * to watch it, and `PUSHWIRE_SLOWMO=<ms>` to slow every playwright action down.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const headed = process.env.PUSHWIRE_HEADED === '1'
  const profile = await mkdtemp(join(tmpdir(), 'pushwire-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: !headed,
      args: headed ? QUIET_FLAGS : ['--headless', ...QUIET_FLAGS],
      slowMo: Number(process.env.PUSHWIRE_SLOWMO) || undefined,
    })
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
  let closing: Promise<void> | undefined
  return {
    context,
    newPage: () => context.newPage(),
    close() {
      closing ??= context.close().finally(() => rm(profile, { recursive: true, force: true }))
      return closing
    },
  }
}

// What Chromium itself logs, as console errors, for a request that failed. Tests that provoke
// such a failure on purpose (204, 401, a refused upgrade) allow exactly those lines.
const NETWORK_LOG_LINE = /^(Failed to load resource|WebSocket connection to|EventSource's response)/

/** Errors seen in one page: uncaught exceptions and console errors. */
export interface PageErrorWatch {
  /** Every error seen so far, as text, allowed ones included. */
  readonly errors: readonly string[]
  /** Tolerates browser network log lines matching `pattern` (a failure the test caused on purpose). */
  allowNetworkError(pattern: RegExp): void
  /** The errors that are neither allowed network lines; empty when the page behaved. */
  unexpected(): string[]
}

/**
 * Collects `pageerror` events and console messages of type `error` from `page`, so a test can
 * assert that the page saw none: `expect(watch.unexpected()).toEqual([])`.
 */
export function watchPageErrors(page: Page): PageErrorWatch {
  const errors: string[] = []
  const allowed: RegExp[] = []
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack || error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  return {
    errors,
    allowNetworkError(pattern) {
      allowed.push(pattern)
    },
    unexpected() {
      return errors.filter((line) => {
        const text = line.replace(/^console: /, '')
        if (text === line || !NETWORK_LOG_LINE.test(text)) return true
        return !allowed.some((pattern) => pattern.test(text))
      })
    },
  }
}
