import { describe, expect, it } from 'vitest'
import type { PushClientOptions, TransportName } from '../../src/index'
import { STREAM_PATH } from './fixture-server'
import { useBrowserSuite } from './suite'
import { expectedIds } from './test-page'

const suite = useBrowserSuite()
const FAST_RETRY = { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 }

function publishNumbered(from: number, to: number): void {
  for (let n = from; n <= to; n++) suite.fixture.push.publish({ data: `event ${n}` })
}

/** Opens a page without `remove`, starts a client, and checks it opened on `expected` from the start. */
async function expectPick(remove: string[], options: Partial<PushClientOptions>, expected: TransportName, tokens?: string[]) {
  await suite.fixture.resetPush()
  await suite.tab.open(
    { bundle: 'umd', remove },
    { options: { url: STREAM_PATH, retry: FAST_RETRY, ...options }, setup: { tokens, probe: remove } },
  )
  expect((await suite.tab.log()).missingAtLoad).toEqual(remove)
  await suite.tab.waitForStatus({ state: 'open' })
  const statuses = await suite.tab.statuses()
  // Picked by feature detection, not reached by failing over.
  expect(statuses.map((status) => status.transport)).toEqual(statuses.map(() => expected))
  publishNumbered(1, 3)
  const messages = await suite.tab.waitForMessages(3)
  expect(messages.map((message) => [message.id, message.transport])).toEqual(expectedIds(1, 3).map((id) => [id, expected]))
}

describe('feature detection, as on a browser that lacks the globals', () => {
  it('picks long-poll over XMLHttpRequest when EventSource, fetch, ReadableStream and WebSocket are missing', async () => {
    const remove = ['EventSource', 'fetch', 'ReadableStream', 'WebSocket']
    await suite.fixture.resetPush()
    // Default options: the client has to find out by itself what this browser can do.
    await suite.tab.open(
      { bundle: 'umd', remove },
      { options: { url: STREAM_PATH, retry: FAST_RETRY }, setup: { probe: remove.concat('XMLHttpRequest') } },
    )
    expect((await suite.tab.log()).missingAtLoad).toEqual(remove)
    await suite.tab.waitForStatus({ state: 'open', transport: 'long-poll' })
    publishNumbered(1, 25)
    const messages = await suite.tab.waitForMessages(25)
    expect(messages.map((message) => message.id)).toEqual(expectedIds(1, 25))
    expect(messages.map((message) => message.data)).toEqual(expectedIds(1, 25).map((id) => `event ${id}`))
    const streamRequests = suite.tab.requests.filter((request) => request.url.indexOf(STREAM_PATH) !== -1)
    expect(streamRequests.length).toBeGreaterThan(0)
    expect(streamRequests.every((request) => request.kind === 'xhr')).toBe(true)
    expect(suite.fixture.requests.every((request) => request.transport === 'long-poll')).toBe(true)
  })

  it('with only WebSocket missing, picks the next transport in the list', async () => {
    await expectPick(['WebSocket'], { transports: ['websocket', 'fetch-sse', 'long-poll'] }, 'fetch-sse')
  })

  it('with every global present, the default order picks fetch-sse', async () => {
    await expectPick([], {}, 'fetch-sse')
  })

  it('with fetch streams missing, the default order picks native EventSource', async () => {
    await expectPick(['ReadableStream'], {}, 'eventsource')
  })

  it('with fetch streams and EventSource missing, the default order picks websocket', async () => {
    await expectPick(['ReadableStream', 'EventSource'], {}, 'websocket')
  })

  it('with ReadableStream missing, fetch-sse is skipped for long-poll over fetch', async () => {
    await expectPick(['ReadableStream'], { transports: ['fetch-sse', 'long-poll'] }, 'long-poll')
    const streamRequests = suite.tab.requests.filter((request) => request.url.indexOf(STREAM_PATH) !== -1)
    expect(streamRequests.every((request) => request.kind === 'fetch')).toBe(true)
  })

  it('with headers set, the default order picks fetch-sse and sends them', async () => {
    await expectPick([], {}, 'fetch-sse', ['Bearer token'])
    expect(suite.fixture.requests[0].headers.authorization).toBe('Bearer token')
  })

  it('with headers set and fetch streams missing, the default order skips eventsource and websocket', async () => {
    await expectPick(['ReadableStream'], {}, 'long-poll', ['Bearer token'])
    expect(suite.tab.requests.some((request) => request.kind === 'eventsource' || request.kind === 'websocket')).toBe(false)
    expect(suite.fixture.requests[0].headers.authorization).toBe('Bearer token')
  })

  it('with headers set and only header-less transports before long-poll, picks long-poll', async () => {
    await expectPick([], { transports: ['eventsource', 'websocket', 'long-poll'] }, 'long-poll', ['Bearer token'])
    expect(suite.tab.requests.some((request) => request.kind === 'eventsource' || request.kind === 'websocket')).toBe(false)
    expect(suite.fixture.requests.every((request) => request.headers.authorization === 'Bearer token')).toBe(true)
  })
})

describe('run-time fallback', () => {
  const options: PushClientOptions = { url: STREAM_PATH, transports: ['websocket', 'fetch-sse'], retry: FAST_RETRY }

  function refusedUpgrades(): number {
    return suite.fixture.requests.filter((request) => request.answeredBy === 'refuse-upgrade').length
  }

  it('ends on the next transport when the WebSocket upgrade is refused from the start', async () => {
    await suite.fixture.resetPush()
    suite.fixture.misbehave('refuse-upgrade', 'websocket')
    suite.tab.errors.allowNetworkError(/WebSocket connection to .* failed/)
    await suite.tab.open({ bundle: 'umd' }, { options })
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    publishNumbered(1, 5)
    const messages = await suite.tab.waitForMessages(5)
    expect(messages.map((message) => [message.id, message.transport])).toEqual(expectedIds(1, 5).map((id) => [id, 'fetch-sse']))
    // fallbackAfter defaults to 2 failed opens.
    expect(refusedUpgrades()).toBe(2)
  })

  it('moves to the next transport mid-session when upgrades start being refused, without loss', async () => {
    await suite.fixture.resetPush()
    suite.tab.errors.allowNetworkError(/WebSocket connection to .* failed/)
    await suite.tab.open({ bundle: 'umd' }, { options })
    await suite.tab.waitForStatus({ state: 'open', transport: 'websocket' })
    publishNumbered(1, 5)
    await suite.tab.waitForMessages(5)
    // A proxy starts blocking WebSockets and the live socket is cut.
    suite.fixture.misbehave('refuse-upgrade', 'websocket')
    suite.fixture.push.disconnectAll()
    publishNumbered(6, 10)
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    publishNumbered(11, 15)
    const messages = await suite.tab.waitForMessages(15)
    expect(messages.map((message) => message.id)).toEqual(expectedIds(1, 15))
    expect(messages.slice(0, 5).every((message) => message.transport === 'websocket')).toBe(true)
    expect(messages.slice(10).every((message) => message.transport === 'fetch-sse')).toBe(true)
    expect(refusedUpgrades()).toBe(2)
    const fetchSse = suite.fixture.requests.filter((request) => request.transport === 'fetch-sse')
    expect(fetchSse[0].headers['last-event-id']).toBe('5')
  })
})
