import { describe, expect, it } from 'vitest'
import { TRANSPORT_NAMES, type PushClientOptions, type TransportName } from '../../src/index'
import { STREAM_PATH, type Misbehaviour } from './fixture-server'
import { useBrowserSuite } from './suite'
import type { StartSpec } from './test-page'

const suite = useBrowserSuite()

interface Scenario {
  what: string
  /** The client's order; unset, the default one. */
  transports?: TransportName[]
  misbehaviour: Misbehaviour
  kind: 'http' | 'websocket'
  /** The transport the fallback ends on. */
  worked: TransportName
  /** Chromium's console line for each failed open. */
  networkError?: RegExp
}

const SCENARIOS: Scenario[] = [
  {
    what: 'a proxy that refuses WebSocket upgrades',
    transports: ['websocket', 'fetch-sse'],
    misbehaviour: 'refuse-upgrade',
    kind: 'websocket',
    worked: 'fetch-sse',
    networkError: /WebSocket connection to .* failed/,
  },
  {
    what: 'a proxy that buffers responses',
    transports: ['fetch-sse', 'long-poll'],
    misbehaviour: 'buffer',
    kind: 'http',
    worked: 'long-poll',
  },
  {
    // fetch-sse sees the headers come and the body held: native EventSource, which would open
    // on those headers and then hear nothing for ever, is passed over.
    what: 'a proxy that buffers responses, with the default order',
    misbehaviour: 'buffer',
    kind: 'http',
    worked: 'websocket',
  },
]

describe('a page load after a fallback starts on the transport that worked', () => {
  it.each(SCENARIOS)('behind $what', async ({ what, transports, misbehaviour, kind, worked, networkError }) => {
    await suite.fixture.resetPush()
    suite.fixture.misbehave(misbehaviour, kind)
    if (networkError) suite.tab.errors.allowNetworkError(networkError)
    // Published before either load: `lastEventId: '0'` replays it as soon as a connection opens,
    // so the time to the first message is the time it takes to find a transport that works.
    suite.fixture.push.publish({ event: 'dish', data: 'first' })
    const options: PushClientOptions = { url: STREAM_PATH, transports, lastEventId: '0', connectTimeoutMs: 1000 }
    const spec: StartSpec = { options, setup: { types: ['dish'] } }
    // (A buffering proxy answers the long-polls too, but those get through.)
    const failedOpens = () =>
      suite.fixture.requests.filter((request) => request.answeredBy === misbehaviour && request.transport !== worked).length

    await suite.tab.open({ bundle: 'umd' }, spec)
    await suite.tab.waitForMessages(1)
    const cold = await suite.tab.log()
    expect(cold.messages[0]).toMatchObject({ data: 'first', transport: worked })
    expect(cold.statuses[0]).toMatchObject({ state: 'connecting', transport: (transports || TRANSPORT_NAMES)[0] })
    // fallbackAfter: 2 failed opens before the next transport.
    expect(failedOpens()).toBe(2)

    await suite.tab.open({ bundle: 'umd' }, spec)
    await suite.tab.waitForMessages(1)
    const warm = await suite.tab.log()
    expect(warm.messages[0]).toMatchObject({ data: 'first', transport: worked })
    expect(warm.statuses.map((status) => status.transport)).toEqual(warm.statuses.map(() => worked))
    expect(failedOpens()).toBe(2)

    console.log(`time to first event behind ${what}: ${cold.firstMessageMs} ms cold, ${warm.firstMessageMs} ms remembered`)
  })

  it('is kept per stream path: another query finds it, another path does not', async () => {
    await suite.fixture.resetPush()
    suite.fixture.misbehave('refuse-upgrade', 'websocket', 2)
    // The other path does not exist: its upgrade and any GET get a 404.
    suite.tab.errors.allowNetworkError(/WebSocket connection to .* failed|404/)
    const options: PushClientOptions = { url: STREAM_PATH, transports: ['websocket', 'fetch-sse'] }
    await suite.tab.open({ bundle: 'umd' }, { options })
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    await suite.tab.open({ bundle: 'umd' }, { options: { ...options, url: `${STREAM_PATH}?room=2` } })
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    expect((await suite.tab.statuses())[0]).toMatchObject({ state: 'connecting', transport: 'fetch-sse' })
    await suite.tab.open({ bundle: 'umd' }, { options: { ...options, url: `${STREAM_PATH}-elsewhere` } })
    await suite.tab.waitForStatus({ state: 'connecting' })
    expect((await suite.tab.statuses())[0]).toMatchObject({ state: 'connecting', transport: 'websocket' })
  })

  it('is not learned from a server restart: the next page load starts on the first transport again', async () => {
    // WebSocket as the next transport: native EventSource is never remembered at all.
    await suite.fixture.resetPush()
    suite.tab.errors.allowNetworkError(/ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING)|WebSocket connection to .* failed/)
    // Without jitter: the server comes back at least 1 s before the client's next open.
    const options: PushClientOptions = { url: STREAM_PATH, transports: ['fetch-sse', 'websocket'], retry: { initialDelayMs: 250, jitter: 0 } }
    const spec: StartSpec = { options, setup: { types: ['dish'] } }
    await suite.tab.open({ bundle: 'umd' }, spec)
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })

    // The server restarts: the stream is cut and the next two opens refused, so the client
    // moves on to WebSocket, which the server answers once it is back.
    suite.fixture.goDown()
    await suite.tab.waitForStatus({ state: 'connecting', transport: 'websocket' })
    await suite.fixture.comeBack()
    await suite.tab.waitForStatus({ state: 'open', transport: 'websocket' })
    const failedOpens = (await suite.tab.statuses()).filter((status) => status.state === 'reconnecting' && status.transport === 'fetch-sse')
    // The cut stream, then two refused opens.
    expect(failedOpens).toHaveLength(3)
    // Once the page shows an event that came after the open, the stream has flowed there.
    suite.fixture.push.publish({ event: 'dish', data: 'after the restart' })
    await suite.tab.waitForMessages(1)

    await suite.tab.open({ bundle: 'umd' }, spec)
    await suite.tab.waitForStatus({ state: 'open' })
    expect((await suite.tab.statuses())[0]).toMatchObject({ state: 'connecting', transport: 'fetch-sse' })
  })
})
