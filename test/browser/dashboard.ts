// The dish dashboard as the browser tests drive it: its charts, status panel and drop button.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { watchPageErrors, type LaunchedBrowser, type PageErrorWatch } from './chromium'

// Chromium logs a request that the server killed mid-flight (the drop) as a console error.
export const DROPPED_REQUEST = /ERR_(EMPTY_RESPONSE|CONNECTION_RESET|CONNECTION_CLOSED|INCOMPLETE_CHUNKED_ENCODING)/

/** The part of chart.js's UMD global (`window.Chart`) that the tests read. */
export interface ChartGlobal {
  Chart: { getChart(canvasId: string): { data: { datasets: Array<{ data: unknown[] }> } } }
}
/** A point of the "orders over time" chart: x is the batch number. */
export interface LinePoint {
  x: number
  y: number
}

export interface Dashboard {
  page: Page
  errors: PageErrorWatch
  text(id: string): Promise<string>
  /** The batch numbers plotted on the line chart, oldest first, and the bar chart's total sales. */
  charts(): Promise<{ ids: number[]; sales: number }>
  /** Waits until the line chart's newest batch number is at least `id`. */
  waitForEventId(id: number): Promise<void>
}

/** Opens the dashboard at `url` in a new page of `browser`. */
export async function openDashboard(browser: LaunchedBrowser, url: string): Promise<Dashboard> {
  const page = await browser.newPage()
  const errors = watchPageErrors(page)
  await page.goto(url)
  const text = async (id: string) => ((await page.textContent(`#${id}`)) ?? '').trim()
  const charts = () =>
    page.evaluate(() => {
      const { Chart } = window as unknown as ChartGlobal
      const points = Chart.getChart('orders-chart').data.datasets[0].data as LinePoint[]
      const sales = Chart.getChart('sales-chart').data.datasets[0].data as number[]
      return { ids: points.map((point) => point.x), sales: sales.reduce((sum, n) => sum + n, 0) }
    })
  const waitForEventId = async (id: number) => {
    await page.waitForFunction((wanted) => {
      const { Chart } = window as unknown as ChartGlobal
      const points = Chart.getChart('orders-chart').data.datasets[0].data as LinePoint[]
      return points.length > 0 && points[points.length - 1].x >= wanted
    }, id)
  }
  return { page, errors, text, charts, waitForEventId }
}

export function newestId(ids: number[]): number {
  return ids.length ? ids[ids.length - 1] : 0
}

/** Every plotted batch number is the previous one plus 1: nothing missing, nothing twice. */
export function expectConsecutive(ids: number[]): void {
  expect(ids.length).toBeGreaterThan(1)
  expect(ids).toEqual(ids.map((_, index) => ids[0] + index))
}

export async function waitForOpen(dashboard: Dashboard, transport: string): Promise<void> {
  await dashboard.page.waitForFunction(
    (wanted) =>
      document.getElementById('status-transport')?.textContent === wanted &&
      document.getElementById('status-state')?.getAttribute('data-state') === 'open',
    transport,
  )
}

/** Presses "Drop connection" until it dropped something; returns how many connections. */
export async function pressDrop(dashboard: Dashboard): Promise<number> {
  // A long-poll client holds no connection while it handles a response; press again then.
  let dropped = 0
  for (let tries = 0; dropped === 0 && tries < 5; tries++) {
    await dashboard.page.getByRole('button', { name: /Drop connection/ }).click()
    const notice = await dashboard.page.waitForFunction(() => {
      const match = /Dropped (\d+)/.exec(document.getElementById('notice')?.textContent ?? '')
      const settled = match && document.getElementById('drop')?.hasAttribute('disabled') === false
      return settled ? { count: Number(match[1]) } : undefined
    })
    dropped = (await notice.jsonValue())!.count
    if (dropped === 0) await dashboard.page.evaluate(() => (document.getElementById('notice')!.textContent = ''))
  }
  return dropped
}
