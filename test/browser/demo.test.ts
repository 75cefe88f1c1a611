import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo, type RunningDemo } from '../../demo/app.mjs'
import { launchBrowser, watchPageErrors, type LaunchedBrowser } from './chromium'
import {
  DROPPED_REQUEST,
  expectConsecutive,
  newestId,
  openDashboard as openPage,
  pressDrop,
  waitForOpen,
  type ChartGlobal,
  type Dashboard,
  type LinePoint,
} from './dashboard'

// Faster than the demo's one batch per second, so each step sees several events quickly; slow
// enough that the line chart's 60 points still cover a drop and the resume after it.
const TICK_MS = 150
const TRANSPORTS = ['eventsource', 'fetch-sse', 'websocket', 'long-poll'] as const

let demo: RunningDemo
let browser: LaunchedBrowser

beforeAll(async () => {
  demo = await startDemo({ port: 0, tickMs: TICK_MS })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

const openDashboard = (query = ''): Promise<Dashboard> => openPage(browser, demo.url + query)

/**
 * Keeps the page busy for a few ticks, then picks `transport` in the same task: the events
 * published meanwhile never reached the old client, so only a resumed new one can show them.
 */
async function switchWhileEventsAreInFlight(page: Page, transport: string): Promise<void> {
  await page.evaluate(
    ({ transport, busyMs }) => {
      const until = Date.now() + busyMs
      while (Date.now() < until);
      document.querySelector<HTMLInputElement>(`input[name="transport"][value="${transport}"]`)!.click()
    },
    { transport, busyMs: TICK_MS * 4 },
  )
}

describe('dish dashboard', () => {
  it('draws growing charts over every transport picked in turn, with no gap between them', async () => {
    const dashboard = await openDashboard()
    // auto = the default preference order, whose first choice Chromium supports.
    await waitForOpen(dashboard, 'fetch-sse')
    for (const transport of TRANSPORTS) {
      await switchWhileEventsAreInFlight(dashboard.page, transport)
      await waitForOpen(dashboard, transport)
      const before = await dashboard.charts()
      await dashboard.waitForEventId(newestId(before.ids) + 3)
      const after = await dashboard.charts()
      expect(after.sales, `bar chart grows over ${transport}`).toBeGreaterThan(before.sales)
      expect(await dashboard.text('status-transport')).toBe(transport)
      expect(new URL(dashboard.page.url()).searchParams.get('transport')).toBe(transport)
      expectConsecutive(after.ids)
    }
    expect(await dashboard.text('status-gaps')).toBe('0')
    expect(await dashboard.text('status-duplicates')).toBe('0')
    expect(Number(await dashboard.text('kpi-events'))).toBeGreaterThan(12)
    expect(dashboard.errors.unexpected()).toEqual([])
    await dashboard.page.close()
  })

  it.each(TRANSPORTS)('resumes over %s after "drop connection" with no event id missing', async (transport) => {
    const dashboard = await openDashboard(`?transport=${transport}`)
    dashboard.errors.allowNetworkError(DROPPED_REQUEST)
    await waitForOpen(dashboard, transport)
    await dashboard.waitForEventId(newestId((await dashboard.charts()).ids) + 2)
    expect(await dashboard.text('status-reconnects')).toBe('0')

    const dropped = await pressDrop(dashboard)
    expect(dropped).toBeGreaterThan(0)

    await dashboard.page.waitForFunction(() => Number(document.getElementById('status-reconnects')?.textContent) >= 1)
    await waitForOpen(dashboard, transport)
    const resumedFrom = newestId((await dashboard.charts()).ids)
    await dashboard.waitForEventId(resumedFrom + 5)

    // Both read in one task of the page: events keep arriving every TICK_MS between two reads.
    const { ids, lastId } = await dashboard.page.evaluate(() => {
      const { Chart } = window as unknown as ChartGlobal
      const points = Chart.getChart('orders-chart').data.datasets[0].data as LinePoint[]
      return { ids: points.map((point) => point.x), lastId: document.getElementById('status-last-id')?.textContent?.trim() }
    })
    expectConsecutive(ids)
    expect(ids[0]).toBeLessThan(resumedFrom - 3) // the window spans the drop
    expect(await dashboard.text('status-gaps')).toBe('0')
    expect(await dashboard.text('status-duplicates')).toBe('0')
    expect(Number(lastId)).toBe(newestId(ids))
    expect(dashboard.errors.unexpected()).toEqual([])
    await dashboard.page.close()
  })
})

describe('dish dashboard in several tabs', () => {
  const LEADER = 'leader 主'
  const roles = (dashboards: Dashboard[]) => Promise.all(dashboards.map((dashboard) => dashboard.text('status-role')))

  async function waitForOneLeader(dashboards: Dashboard[]): Promise<void> {
    const deadline = Date.now() + 10_000
    while ((await roles(dashboards)).filter((role) => role === LEADER).length !== 1) {
      if (Date.now() > deadline) throw new Error(`no single leader among ${await roles(dashboards)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('shows five live dashboards on one server connection, and goes on without a gap when the leading tab closes', async () => {
    const dashboards: Dashboard[] = []
    for (let i = 0; i < 5; i++) dashboards.push(await openDashboard())
    for (const dashboard of dashboards) await waitForOpen(dashboard, 'fetch-sse')
    await waitForOneLeader(dashboards)
    expect((await roles(dashboards)).filter((role) => role === 'follower 从')).toHaveLength(4)
    await dashboards[0].page.waitForFunction(() => document.getElementById('status-connections')?.textContent === '1')
    for (const dashboard of dashboards) await dashboard.waitForEventId(newestId((await dashboard.charts()).ids) + 2)

    const leader = dashboards[(await roles(dashboards)).indexOf(LEADER)]
    await leader.page.close()
    const rest = dashboards.filter((dashboard) => dashboard !== leader)
    await waitForOneLeader(rest)
    const newest = Math.max(...(await Promise.all(rest.map(async (dashboard) => newestId((await dashboard.charts()).ids)))))
    for (const dashboard of rest) {
      await dashboard.waitForEventId(newest + 3)
      expectConsecutive((await dashboard.charts()).ids)
      expect(await dashboard.text('status-gaps')).toBe('0')
      expect(await dashboard.text('status-duplicates')).toBe('0')
      expect(dashboard.errors.unexpected()).toEqual([])
    }
    await Promise.all(rest.map((dashboard) => dashboard.page.close()))
  })
})

describe('chat page', () => {
  it('broadcasts what one tab sends to the other, as text', async () => {
    const alice = await browser.newPage()
    const bob = await browser.newPage()
    const errors = [watchPageErrors(alice), watchPageErrors(bob)]
    await Promise.all([alice.goto(`${demo.url}chat.html`), bob.goto(`${demo.url}chat.html`)])
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.getElementById('chat-state')?.getAttribute('data-state') === 'open')
    }
    expect(await alice.textContent('#chat-transport')).toBe('via websocket')

    const markup = '<img src=x onerror="window.__injected=1">你好 <b>bob</b>'
    await alice.fill('#nameInput', 'alice')
    await alice.fill('#messageInput', markup)
    await alice.press('#messageInput', 'Enter')

    for (const page of [alice, bob]) {
      await page.waitForFunction(() => document.querySelectorAll('#chatBox .bubble').length === 1)
      expect(await page.textContent('#chatBox .bubble-text')).toBe(markup)
      expect(await page.textContent('#chatBox .bubble-meta')).toMatch(/^alice · \d\d:\d\d:\d\d$/)
      expect(await page.locator('#chatBox img, #chatBox b').count()).toBe(0)
      expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined()
    }
    expect(await alice.getAttribute('#chatBox .bubble', 'class')).toBe('bubble mine')
    expect(await bob.getAttribute('#chatBox .bubble', 'class')).toBe('bubble')
    expect(await alice.inputValue('#messageInput')).toBe('')
    expect(errors.flatMap((watch) => watch.unexpected())).toEqual([])
    await Promise.all([alice.close(), bob.close()])
  })
})

describe('npm run demo (demo/server.mjs)', () => {
  it('prints its URL, serves until SIGINT, then closes its live streams and exits 0', async () => {
    const script = fileURLToPath(new URL('../../demo/server.mjs', import.meta.url))
    const child = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    const exited = once(child, 'exit')
    try {
      while (!/http:\/\/127\.0\.0\.1:\d+\//.test(output)) await once(child.stdout, 'data')
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)![0]
      expect((await fetch(url)).status).toBe(200)
      const stream = await fetch(`${url}stream`, { headers: { Accept: 'text/event-stream' } })
      const reader = stream.body!.getReader()
      await reader.read() // the stream is live
      child.kill('SIGINT')
      const [code] = await exited
      expect(code).toBe(0)
      expect(output).toContain('Demo stopped.')
      // Drain: the stream ended cleanly rather than hanging.
      while (!(await reader.read()).done);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
