// `npm run demo:cluster` in Chromium: two demo processes on one redis-server behind the
// round-robin proxy. "Drop connection" must land the client on the other process with no gap.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, type LaunchedBrowser } from './chromium'
import { DROPPED_REQUEST, expectConsecutive, newestId, openDashboard, pressDrop, waitForOpen } from './dashboard'

const TICK_MS = '150'
const STREAM_LINE = /^stream \/stream\S* → process (\d)/

let cluster: ChildProcess
let output = ''
let url: string
let browser: LaunchedBrowser

beforeAll(async () => {
  const script = fileURLToPath(new URL('../../demo/cluster.mjs', import.meta.url))
  cluster = spawn(process.execPath, [script], { env: { ...process.env, PORT: '0', TICK_MS }, stdio: ['ignore', 'pipe', 'pipe'] })
  cluster.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  cluster.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  while (!/dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.test(output)) {
    if (cluster.exitCode !== null) throw new Error(`demo:cluster exited: ${output}`)
    await once(cluster.stdout!, 'data')
  }
  url = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  if (cluster && cluster.exitCode === null) {
    cluster.kill('SIGINT')
    await once(cluster, 'exit')
  }
})

/** Which demo process (1 or 2) each dashboard stream connection went to, in order. */
function streamProcesses(): string[] {
  return output
    .split('\n')
    .map((line) => STREAM_LINE.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => match[1])
}

describe('npm run demo:cluster (demo/cluster.mjs)', () => {
  it.each(['eventsource', 'fetch-sse', 'websocket'])('"drop connection" over %s moves the client to the other process, no batch missing', async (transport) => {
    const dashboard = await openDashboard(browser, `${url}?transport=${transport}`)
    dashboard.errors.allowNetworkError(DROPPED_REQUEST)
    await waitForOpen(dashboard, transport)
    await dashboard.waitForEventId(newestId((await dashboard.charts()).ids) + 2)
    const before = streamProcesses()
    const servedBy = before[before.length - 1]

    expect(await pressDrop(dashboard)).toBe(1)
    await dashboard.page.waitForFunction(() => Number(document.getElementById('status-reconnects')?.textContent) >= 1)
    await waitForOpen(dashboard, transport)
    const resumedFrom = newestId((await dashboard.charts()).ids)
    await dashboard.waitForEventId(resumedFrom + 5)

    const after = streamProcesses()
    expect(after.length).toBeGreaterThan(before.length)
    expect(after[after.length - 1]).not.toBe(servedBy)
    const { ids } = await dashboard.charts()
    expectConsecutive(ids)
    expect(ids[0]).toBeLessThan(resumedFrom - 3) // the window spans the drop
    expect(await dashboard.text('status-gaps')).toBe('0')
    expect(await dashboard.text('status-duplicates')).toBe('0')
    expect(dashboard.errors.unexpected()).toEqual([])
    await dashboard.page.close()
  })

  it('keeps the batches consecutive over long-poll, whose every poll goes to the next process', async () => {
    const dashboard = await openDashboard(browser, `${url}?transport=long-poll`)
    await waitForOpen(dashboard, 'long-poll')
    await dashboard.waitForEventId(newestId((await dashboard.charts()).ids) + 10)
    expectConsecutive((await dashboard.charts()).ids)
    expect(await dashboard.text('status-gaps')).toBe('0')
    expect(await dashboard.text('status-duplicates')).toBe('0')
    expect(dashboard.errors.unexpected()).toEqual([])
    await dashboard.page.close()
  })

  it('stops the proxy, both processes and Redis on SIGINT, exiting 0', async () => {
    cluster.kill('SIGINT')
    const [code] = await once(cluster, 'exit')
    expect(code).toBe(0)
    expect(output).toContain('Demo stopped.')
  })
})
