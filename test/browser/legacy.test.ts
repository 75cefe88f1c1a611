import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { watchPageErrors } from './chromium'
import { STREAM_PATH } from './fixture-server'
import { useBrowserSuite } from './suite'
import { expectedIds, waitFor, type PageLog } from './test-page'

const ROOT = join(__dirname, '..', '..')
const ES_CHECK = join(ROOT, 'node_modules', '.bin', 'es-check')
const run = promisify(execFile)

/**
 * What an IE11-class browser lacks (PACKAGING.md §1.3), removed before the bundle loads.
 * `Array.from` and friends are members, removed from their owners.
 */
const MODERN_GLOBALS = [
  'EventSource',
  'fetch',
  'ReadableStream',
  'WebSocket',
  'TextDecoder',
  'AbortController',
  'URL',
  'URLSearchParams',
  'Promise',
  'Symbol',
  'Reflect',
  'WeakSet',
  'Proxy',
  'queueMicrotask',
  'structuredClone',
  'globalThis',
  'Array.from',
  'Object.assign',
  'Object.entries',
  'String.prototype.includes',
  'String.prototype.startsWith',
  'Array.prototype.includes',
]

const suite = useBrowserSuite()

function publishNumbered(from: number, to: number): void {
  for (let n = from; n <= to; n++) suite.fixture.push.publish({ event: n % 2 ? 'odd' : 'even', data: `event ${n}` })
}

describe('es-check', () => {
  it('confirms the legacy bundle is ES5', async () => {
    // A non-zero exit rejects; the message is the check's own verdict.
    const { stdout } = await run(ES_CHECK, ['es5', 'dist/pushwire.legacy.umd.js'], { cwd: ROOT })
    expect(stdout).toMatch(/passed/i)
  })

  it('rejects the modern bundle as ES5 (the check can fail)', async () => {
    await expect(run(ES_CHECK, ['es5', 'dist/pushwire.umd.js'], { cwd: ROOT })).rejects.toThrow()
  })
})

describe('legacy bundle in a page without the modern globals', () => {
  it('loads, picks long-poll over XMLHttpRequest, receives every event, resumes and closes', async () => {
    await suite.fixture.resetPush({ pollTimeoutMs: 500 })
    suite.tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE/)
    await suite.tab.open(
      { bundle: 'legacy', remove: MODERN_GLOBALS },
      {
        options: { url: STREAM_PATH, retry: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 } },
        setup: { types: ['odd', 'even'], probe: MODERN_GLOBALS },
      },
    )
    expect((await suite.tab.log()).missingAtLoad).toEqual(MODERN_GLOBALS)
    await suite.tab.waitForStatus({ state: 'open', transport: 'long-poll' })
    publishNumbered(1, 10)
    await suite.tab.waitForMessages(10)
    await waitFor(() => suite.fixture.push.clientCount > 0, 'the next poll')
    suite.fixture.push.disconnectAll()
    publishNumbered(11, 20)
    const messages = await suite.tab.waitForMessages(20)
    expect(messages.map((message) => message.id)).toEqual(expectedIds(1, 20))
    expect(messages.map((message) => message.type)).toEqual(expectedIds(1, 20).map((id) => (Number(id) % 2 ? 'odd' : 'even')))
    expect(messages.every((message) => message.transport === 'long-poll')).toBe(true)
    const streamRequests = suite.tab.requests.filter((request) => request.url.indexOf(STREAM_PATH) !== -1)
    expect(streamRequests.every((request) => request.kind === 'xhr')).toBe(true)

    await suite.tab.closeClient()
    await waitFor(() => suite.fixture.openConnections() === 0, 'the last poll to end')
    expect((await suite.tab.statuses()).at(-1)).toMatchObject({ state: 'closed', code: null })
  })

  it('the modern bundle fails in the same page (the page really is old)', async () => {
    const page = await suite.browser.newPage()
    const errors = watchPageErrors(page)
    try {
      const start = { options: { url: STREAM_PATH } }
      await page.goto(suite.fixture.pageUrl({ bundle: 'umd', remove: MODERN_GLOBALS }) + '#' + encodeURIComponent(JSON.stringify(start)))
      await page.locator('body[data-harness=ready]').waitFor({ state: 'attached' })
      const log = JSON.parse((await page.locator('#pw-log').textContent()) || '{}') as PageLog
      // What IE11 would show: the client cannot even start (no Promise), or the bundle throws.
      const failures = errors.errors.concat(log.startError || [])
      expect(failures.join('\n')).toMatch(/ReferenceError|TypeError/)
      expect(log.messages).toEqual([])
    } finally {
      await page.close()
    }
  })
})
