// pushwire in Chromium against servers it did not write, each on its own port of 127.0.0.1:
// another origin than the page's, so every SSE case here is cross-origin and leans on the
// server's CORS answers (the `cors` middleware with its defaults, or the seed's own headers).
// And the other way round: Chromium's own EventSource against pushwire/server.
import { afterEach, describe, expect, it } from 'vitest'
import { startBetterSseServer, type BetterSseFixture } from '../interop/fixtures/better-sse-server'
import { startExpressRecipe, type ExpressRecipeFixture } from '../interop/fixtures/express-recipe'
import { startNumberedWsServer, type NumberedWsFixture } from '../interop/fixtures/numbered-ws-server'
import { startSeed, type SeedProcess } from '../interop/fixtures/seed-process'
import { STREAM_PATH } from './fixture-server'
import { FAST_RETRY } from './stream-helpers'
import { useBrowserSuite } from './suite'
import { waitFor, type StartSpec } from './test-page'

const suite = useBrowserSuite()

let betterSse: BetterSseFixture | undefined
let recipe: ExpressRecipeFixture | undefined
let numbered: NumberedWsFixture | undefined
let seed: SeedProcess | undefined

afterEach(async () => {
  await Promise.all([betterSse?.close(), recipe?.close(), numbered?.close(), seed?.stop()])
  betterSse = recipe = numbered = seed = undefined
})

function client(options: StartSpec['options'], setup: StartSpec['setup'] = {}): StartSpec {
  return { options: { retry: FAST_RETRY, ...options }, setup }
}

/** The numbered server's format, as the page builds it (see readNumbered in the fixture). */
const READ_NUMBERED = 'var m = JSON.parse(frame); return m.seq === undefined ? null : { type: m.type, data: m.data, id: String(m.seq) }'

describe('better-sse with cors() defaults, from another origin', () => {
  it.each(['fetch-sse', 'eventsource'] as const)('%s: delivers named events, and resumes after a cut without loss or repeats', async (transport) => {
    betterSse = await startBetterSseServer()
    // The cut: Chromium logs the broken response.
    suite.tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING|events/)
    await suite.tab.open({ bundle: 'umd' }, client({ url: betterSse.url, transports: [transport], decode: 'json' }, { types: ['dish'] }))
    await waitFor(() => betterSse?.sessions === 1, 'the session')
    betterSse.publish({ name: 'mapo tofu' }, 'dish')
    betterSse.publish('plain')
    await suite.tab.waitForMessages(2)
    betterSse.cut()
    betterSse.publish({ name: 'kung pao' }, 'dish')
    await suite.tab.waitForMessages(3)
    const messages = await suite.tab.messages()
    expect(messages.map((message) => [message.type, message.data, message.id])).toEqual([
      ['dish', { name: 'mapo tofu' }, '1'],
      ['message', 'plain', '2'],
      ['dish', { name: 'kung pao' }, '3'],
    ])
    expect(betterSse.resumedFrom).toEqual(['', '2'])
  })
})

describe('a server that reads only Last-Event-ID, with cors() defaults, from another origin', () => {
  it('fetch-sse resumes: the header passes the preflight that cors() answers', async () => {
    recipe = await startExpressRecipe({ headerOnly: true })
    suite.tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING|events/)
    await suite.tab.open({ bundle: 'umd' }, client({ url: recipe.url, transports: ['fetch-sse'] }, { types: ['dish'] }))
    await waitFor(() => recipe?.clients === 1, 'the connection')
    recipe.publish('dish', 'a')
    await suite.tab.waitForMessages(1)
    recipe.cut()
    recipe.publish('dish', 'b')
    await suite.tab.waitForMessages(2)
    expect((await suite.tab.messages()).map((message) => message.data)).toEqual(['"a"', '"b"'])
    expect(recipe.resumedFrom).toEqual(['', '1'])
  })
})

describe("the seed's Express SSE server, from another origin", () => {
  it.each(['fetch-sse', 'eventsource'] as const)('%s: delivers its JSON events', async (transport) => {
    seed = await startSeed('express-sse')
    await suite.tab.open({ bundle: 'umd' }, client({ url: `http://127.0.0.1:${seed.port}/sse`, transports: [transport], decode: 'json' }))
    const messages = await suite.tab.waitForMessages(2)
    for (const message of messages) expect(message.data).toEqual({ message: expect.stringMatching(/^当前时间: /) })
    // Before the server stops, which would cut the stream under the page.
    await suite.tab.closeClient()
  })
})

describe("the seed's ws broadcast server", () => {
  it("websocketFormat 'text': opens at the upgrade and reads the binary frames it relays", async () => {
    seed = await startSeed('ws-broadcast')
    const url = `http://127.0.0.1:${seed.port}/`
    await suite.tab.open({ bundle: 'umd' }, client({ url, transports: ['websocket'], websocketFormat: 'text', decode: 'json' }))
    await suite.tab.waitForStatus({ state: 'open' })
    expect(await suite.tab.send('{"user":"xiaomeng","text":"菜品更新"}')).toBe('ok')
    const [message] = await suite.tab.waitForMessages(1)
    expect(message).toMatchObject({ type: 'message', data: { user: 'xiaomeng', text: '菜品更新' } })
  })

  it("left at 'sse': each frame is a protocol error that names websocketFormat, and the socket stays open", async () => {
    seed = await startSeed('ws-broadcast')
    const url = `http://127.0.0.1:${seed.port}/`
    await suite.tab.open({ bundle: 'umd' }, client({ url, transports: ['websocket'] }))
    await waitFor(() => seed?.output.includes('新客户端已连接') === true, 'the connection')
    // The socket is up but not yet open (no frame came): send() goes over it all the same.
    expect(await suite.tab.send('hello')).toBe('ok')
    await suite.tab.waitForStatus({ code: 'protocol' })
    const statuses = await suite.tab.statuses()
    expect(statuses.find((status) => status.code === 'protocol')?.message).toContain("websocketFormat: 'text'")
    expect(await suite.tab.messages()).toEqual([])
  })
})

describe('a ws server with numbered JSON frames, read by a websocketFormat function', () => {
  it('delivers typed messages and resumes after a cut from the last number, dropping what comes twice', async () => {
    numbered = await startNumberedWsServer({ replayExtra: 1 })
    const spec = client({ url: 'http://127.0.0.1/', websocketUrl: numbered.url, transports: ['websocket'] }, { websocketFormat: READ_NUMBERED })
    await suite.tab.open({ bundle: 'umd' }, spec)
    await waitFor(() => numbered?.sockets === 1, 'the socket')
    numbered.publish('dish', { name: 'mapo tofu' })
    numbered.sendBinary('{"type":"ping"}')
    numbered.publish('price', 38.5)
    await suite.tab.waitForMessages(2)
    numbered.cut()
    await waitFor(() => numbered?.sockets === 0, 'the cut')
    numbered.publish('dish', { name: 'kung pao' })
    await waitFor(() => numbered?.sockets === 1, 'the reconnect')
    numbered.publish('dish', { name: 'dan dan' })
    await suite.tab.waitForMessages(4)
    const messages = await suite.tab.messages()
    expect(messages.map((message) => [message.type, message.data, message.id])).toEqual([
      ['dish', { name: 'mapo tofu' }, '1'],
      ['price', 38.5, '2'],
      ['dish', { name: 'kung pao' }, '3'],
      ['dish', { name: 'dan dan' }, '4'],
    ])
    expect(numbered.resumedFrom).toEqual(['', '2'])
  })
})

describe("Chromium's own EventSource against pushwire/server", () => {
  it('delivers events and, after a drop, resumes by itself with Last-Event-ID: nothing lost, nothing twice', async () => {
    // retryMs: the browser's own reconnect waits 0.1 s instead of its default of seconds.
    await suite.fixture.resetPush({ retryMs: 100 })
    suite.tab.errors.allowNetworkError(/ERR_INCOMPLETE_CHUNKED_ENCODING/)
    await suite.tab.open({ bundle: 'umd' })
    await suite.tab.page.evaluate((path) => {
      const received: string[] = []
      ;(window as unknown as { received: string[] }).received = received
      const source = new EventSource(path)
      source.onmessage = (event) => received.push(`${event.lastEventId}:${event.data}`)
      source.addEventListener('dish', (event) => received.push(`${(event as MessageEvent).lastEventId}:dish ${(event as MessageEvent).data}`))
    }, STREAM_PATH)
    const received = () => suite.tab.page.evaluate(() => (window as unknown as { received: string[] }).received)
    await waitFor(() => suite.fixture.push.clientCount === 1, 'the EventSource')
    suite.fixture.push.publish({ data: 'a' })
    suite.fixture.push.publish({ event: 'dish', data: 'mapo tofu' })
    await suite.tab.page.waitForFunction(() => (window as unknown as { received: string[] }).received.length === 2)
    suite.fixture.push.disconnectAll()
    suite.fixture.push.publish({ data: 'b' })
    await suite.tab.page.waitForFunction(() => (window as unknown as { received: string[] }).received.length === 3)
    suite.fixture.push.publish({ data: 'c' })
    await suite.tab.page.waitForFunction(() => (window as unknown as { received: string[] }).received.length === 4)
    expect(await received()).toEqual(['1:a', '2:dish mapo tofu', '3:b', '4:c'])
    const resumed = suite.fixture.requests.map((request) => request.headers['last-event-id'])
    expect(resumed).toEqual([undefined, '2'])
  })
})
