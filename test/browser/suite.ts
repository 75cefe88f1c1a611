import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { launchBrowser, type LaunchedBrowser, type LaunchOptions } from './chromium'
import { startFixtureServer, type FixtureServer } from './fixture-server'
import { openTestPage, type TestPage } from './test-page'

/** What {@link useBrowserSuite} sets up; read the fields inside tests, not at collection time. */
export interface BrowserSuite {
  readonly browser: LaunchedBrowser
  readonly fixture: FixtureServer
  /** A fresh tab for the current test. */
  readonly tab: TestPage
}

/**
 * Registers the hooks every browser test file needs: one Chromium and one fixture server per
 * file, a fresh tab per test, and after each test the check that the page saw no uncaught
 * error and no console error it did not expect. `launch` picks how Chromium starts (see
 * {@link LaunchOptions}).
 */
export function useBrowserSuite(launch: LaunchOptions = {}): BrowserSuite {
  let browser: LaunchedBrowser | undefined
  let fixture: FixtureServer | undefined
  let tab: TestPage | undefined

  beforeAll(async () => {
    ;[browser, fixture] = await Promise.all([launchBrowser(launch), startFixtureServer()])
  })
  afterAll(async () => {
    await Promise.all([browser && browser.close(), fixture && fixture.close()])
  })
  beforeEach(async () => {
    tab = await openTestPage(browser as LaunchedBrowser, fixture as FixtureServer)
  })
  afterEach(async () => {
    const unexpected = await (tab as TestPage).close()
    tab = undefined
    expect(unexpected).toEqual([])
  })

  function ready<T>(value: T | undefined, name: string): T {
    if (value === undefined) throw new Error(`${name} is only there inside a test`)
    return value
  }
  return {
    get browser() {
      return ready(browser, 'browser')
    },
    get fixture() {
      return ready(fixture, 'fixture')
    },
    get tab() {
      return ready(tab, 'tab')
    },
  }
}
