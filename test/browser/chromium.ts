import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
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

// What playwright's own launch passes so that a page in the background keeps its timers and
// priority; the CDP launch below passes them itself, so a hidden page still runs at full speed.
const FOREGROUND_SPEED_FLAGS = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding']

/** How to start Chromium. */
export interface LaunchOptions {
  /**
   * Lets pages really become hidden (see `TestPage.setHidden`). Playwright's own launch turns
   * on `Emulation.setFocusEmulationEnabled` in every page, which keeps `document.visibilityState`
   * at `'visible'` whatever happens to the window, and no later CDP call can undo it. So this
   * starts Chromium itself and attaches with `connectOverCDP({ noDefaults: true })`, which leaves
   * focus emulation off: then minimising the window hides the page, as it does for a user.
   */
  realVisibility?: boolean
}

/** A running Chromium with a throw-away profile. */
export interface LaunchedBrowser {
  context: BrowserContext
  /** Opens a fresh tab. */
  newPage(): Promise<Page>
  /**
   * Opens a fresh tab in a window of its own, so that it can be hidden (minimised) while the
   * others stay visible. The same as `newPage()` without `realVisibility`, where no page hides.
   */
  newWindow(): Promise<Page>
  /** Closes the browser and deletes its profile directory; safe to call twice. */
  close(): Promise<void>
}

/**
 * Launches headless Chromium on a fresh user-data-dir. Set `PUSHWIRE_HEADED=1` (with a display)
 * to watch it, and `PUSHWIRE_SLOWMO=<ms>` to slow every playwright action down.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const headed = process.env.PUSHWIRE_HEADED === '1'
  const flags = headed ? QUIET_FLAGS : ['--headless', ...QUIET_FLAGS]
  const slowMo = Number(process.env.PUSHWIRE_SLOWMO) || undefined
  const profile = await mkdtemp(join(tmpdir(), 'pushwire-chromium-'))
  let started: { context: BrowserContext; stop(): Promise<void>; newWindow?(): Promise<Page> }
  try {
    if (options.realVisibility) {
      started = await launchOverCdp(profile, flags, slowMo)
    } else {
      const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: !headed, args: flags, slowMo })
      started = { context, stop: () => context.close() }
    }
  } catch (error) {
    await rm(profile, { recursive: true, force: true })
    throw error
  }
  const { context } = started
  let closing: Promise<void> | undefined
  return {
    context,
    newPage: () => context.newPage(),
    newWindow: () => (started.newWindow ? started.newWindow() : context.newPage()),
    close() {
      // Retries: a helper process may still be writing its last file as the browser exits.
      closing ??= started.stop().finally(() => rm(profile, { recursive: true, force: true, maxRetries: 5 }))
      return closing
    },
  }
}

/** Starts Chromium with a DevTools port and attaches without playwright's default overrides. */
async function launchOverCdp(
  profile: string,
  flags: string[],
  slowMo: number | undefined,
): Promise<{ context: BrowserContext; stop(): Promise<void>; newWindow(): Promise<Page> }> {
  const args = [...flags, ...FOREGROUND_SPEED_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank']
  const child = spawn(CHROMIUM_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = once(child, 'exit')
  // Gives a quitting Chromium time to finish on its own (its helpers still write to the
  // profile), and kills it only when it does not.
  async function kill(graceMs = 0): Promise<void> {
    const timer = setTimeout(() => child.kill(), graceMs)
    await exited
    clearTimeout(timer)
  }
  try {
    const browser = await chromium.connectOverCDP(await devtoolsEndpoint(child), { noDefaults: true, isLocal: true, slowMo })
    async function stop(): Promise<void> {
      // browser.close() only disconnects from a browser playwright did not launch: ask Chromium
      // itself to quit, so that it has finished with its profile when the process is gone.
      try {
        await (await browser.newBrowserCDPSession()).send('Browser.close')
      } finally {
        await browser.close().finally(() => kill(5000))
      }
    }
    const context = browser.contexts()[0]
    async function newWindow(): Promise<Page> {
      const session = await browser.newBrowserCDPSession()
      try {
        const [page] = await Promise.all([context.waitForEvent('page'), session.send('Target.createTarget', { url: 'about:blank', newWindow: true })])
        return page
      } finally {
        await session.detach()
      }
    }
    return { context, stop, newWindow }
  } catch (error) {
    await kill()
    throw error
  }
}

/** The `ws://` address Chromium prints on stderr once its DevTools port listens. */
function devtoolsEndpoint(child: ChildProcess, timeoutMs = 15000): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    let settled = false
    const timer = setTimeout(() => fail(`no DevTools address within ${timeoutMs} ms`), timeoutMs)
    function settle(): boolean {
      if (settled) return false
      settled = true
      clearTimeout(timer)
      return true
    }
    function fail(why: string): void {
      if (settle()) reject(new Error(`Chromium did not start: ${why}\n${output}`))
    }
    child.once('exit', (code) => fail(`exited with ${code}`))
    child.once('error', (error) => fail(String(error)))
    // Read on after the address too (a full stderr pipe would block the browser), keeping nothing.
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return
      output += chunk
      const match = /DevTools listening on (ws:\S+)/.exec(output)
      if (match && settle()) resolve(match[1])
    })
  })
}

/**
 * Minimises (or restores) the window of `page`, which hides (or shows) the page as it does
 * for a user. Needs `launchBrowser({ realVisibility: true })` (see {@link LaunchOptions}).
 */
export async function minimizeWindow(page: Page, minimized: boolean): Promise<void> {
  const session = await page.context().newCDPSession(page)
  try {
    const { windowId } = await session.send('Browser.getWindowForTarget')
    await session.send('Browser.setWindowBounds', { windowId, bounds: { windowState: minimized ? 'minimized' : 'normal' } })
  } finally {
    await session.detach()
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
