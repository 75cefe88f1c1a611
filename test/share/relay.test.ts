import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPushClient, PushError, shareAcrossTabs, type PushClient, type PushClientOptions, type PushMessage, type PushStatus } from '../../src/index'
import { createFakeTransport, type FakeConnection, type FakeTransport } from '../client/fake-transport'
import { FakeBroadcastChannel, FakeTab, inTab, installFakeTabs } from './fake-tabs'

const URL = 'http://127.0.0.1:9/stream'
const FAST_RETRY = { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 }

interface OpenTab {
  tab: FakeTab
  client: PushClient
  messages: PushMessage[]
  statuses: PushStatus[]
  ids(): Array<string | undefined>
}

let fake: FakeTransport

/** A tab whose client shares `URL` over the fake transport, its messages and statuses logged. */
async function openTab(name: string, options: Partial<PushClientOptions> = {}): Promise<OpenTab> {
  const tab = new FakeTab(name)
  const messages: PushMessage[] = []
  const statuses: PushStatus[] = []
  const client = await inTab(tab, () => {
    const made = createPushClient({ url: URL, transports: [fake.transport], retry: FAST_RETRY, share: shareAcrossTabs(), ...options })
    made.on('*', (message) => messages.push(message))
    made.onStatus((status) => statuses.push(status))
    return made
  })
  return { tab, client, messages, statuses, ids: () => messages.map((message) => message.id) }
}

// Fake timers give a 0 ms timer set during a tick 1 ms: a few ms let chained messages through.
const settle = () => vi.advanceTimersByTimeAsync(10)

/** The connections the fake server holds open now. */
function liveConnections(): FakeConnection[] {
  return fake.opens.filter((connection) => !connection.closed)
}

function theConnection(): FakeConnection {
  const live = liveConnections()
  expect(live).toHaveLength(1)
  return live[0]
}

/** Sends events `from`..`to` (id = number, data = `event <n>`) on `connection`. */
function sendRange(connection: FakeConnection, from: number, to: number): void {
  for (let n = from; n <= to; n++) connection.sink.event('message', `event ${n}`, String(n))
}

function range(from: number, to: number): string[] {
  const ids: string[] = []
  for (let n = from; n <= to; n++) ids.push(String(n))
  return ids
}

function roles(...tabs: OpenTab[]): Array<string | undefined> {
  return tabs.map((open) => open.client.status.role)
}

/** Runs `run`, and fails if a promise was rejected with nobody to handle it meanwhile. */
async function expectNoUnhandledRejection(run: () => Promise<void>): Promise<void> {
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => rejections.push(reason)
  process.on('unhandledRejection', onRejection)
  try {
    await run()
  } finally {
    process.off('unhandledRejection', onRejection)
  }
  expect(rejections).toEqual([])
}

describe.each([
  ['Web Locks', true],
  ['BroadcastChannel election', false],
])('shared connection, elected with %s', (_name, withLocks) => {
  beforeEach(() => {
    vi.useFakeTimers()
    installFakeTabs(withLocks)
    fake = createFakeTransport()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  /** Lets an election finish: a lock grant, or the channel election's probe and settle. */
  const elect = () => vi.advanceTimersByTimeAsync(withLocks ? 10 : 300)

  /** `count` tabs, the first of which leads, and its connection, open. */
  async function openGroup(count: number, options: Partial<PushClientOptions> = {}): Promise<{ tabs: OpenTab[]; connection: FakeConnection }> {
    const tabs = [await openTab('a', options)]
    await elect()
    for (let i = 1; i < count; i++) tabs.push(await openTab('abcdef'[i], options))
    await settle()
    return { tabs, connection: await takeOver() }
  }

  /** Waits for the election and opens the one connection its leader made. */
  async function takeOver(): Promise<FakeConnection> {
    await elect()
    const connection = theConnection()
    connection.sink.open()
    return connection
  }

  it('holds one connection for three tabs, and every tab gets every event in order, with its role', async () => {
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2)
    const c = await openTab('c', { decode: 'json' })
    await settle()
    for (let n = 1; n <= 5; n++) connection.sink.event('message', JSON.stringify({ n }), String(n))
    await settle()

    for (const open of [a, b, c]) expect(open.ids()).toEqual(range(1, 5))
    expect(a.messages[0].data).toBe('{"n":1}')
    expect(c.messages[0].data).toEqual({ n: 1 })
    expect(c.messages[0]).toMatchObject({ type: 'message', transport: 'fake' })
    expect(roles(a, b, c)).toEqual(['leader', 'follower', 'follower'])
    for (const open of [a, b, c]) expect(open.client.status).toMatchObject({ state: 'open', transport: 'fake' })
    expect(c.client.lastEventId).toBe('5')
    expect(fake.opens).toHaveLength(1)
  })

  it("hands over when the leader closes: the next tab resumes from its last id, and no tab repeats or loses an event", async () => {
    const {
      tabs: [a, b, c],
      connection: first,
    } = await openGroup(3)
    sendRange(first, 1, 3)
    await settle()

    a.client.close()
    expect(first.closed).toBe(true)
    const second = await takeOver()
    expect(second.request.lastEventId()).toBe('3')
    // A server that replays from one before the resume point: the tabs drop what they have.
    sendRange(second, 2, 6)
    await settle()

    for (const open of [b, c]) expect(open.ids()).toEqual(range(1, 6))
    expect(a.ids()).toEqual(range(1, 3))
    expect(a.statuses.at(-1)).toMatchObject({ state: 'closed', role: 'leader' })
    // Which one takes over is the election's choice (the channel election's is random).
    expect(roles(b, c).sort()).toEqual(['follower', 'leader'])
    const follower = b.client.status.role === 'follower' ? b : c
    // The follower saw the new connection open, as it would its own.
    expect(follower.statuses.map((status) => status.state).slice(-2)).toEqual(['connecting', 'open'])
  })

  it('hands over when the leader crashes mid-stream', async () => {
    const {
      tabs: [a, b, c],
      connection: first,
    } = await openGroup(3)
    sendRange(first, 1, 4)
    await settle()

    a.tab.crash()
    // Sent by the server after the crash; they never reach a tab through the dead leader.
    sendRange(first, 5, 6)
    // A crashed tab's lock goes at once; a silent leader is replaced after its lease.
    await vi.advanceTimersByTimeAsync(withLocks ? 10 : 5000)
    const second = liveConnections().filter((connection) => connection !== first)
    expect(second).toHaveLength(1)
    expect(second[0].request.lastEventId()).toBe('4')
    second[0].sink.open()
    sendRange(second[0], 5, 8)
    await settle()
    for (const open of [b, c]) expect(open.ids()).toEqual(range(1, 8))
  })

  it("hands over when the leader's page is hidden in the back/forward cache, and comes back as a follower that missed nothing", async () => {
    const {
      tabs: [a, b],
      connection: first,
    } = await openGroup(2)
    sendRange(first, 1, 2)
    await settle()

    a.tab.fire('pagehide', true)
    expect(first.closed).toBe(true)
    const second = await takeOver()
    sendRange(second, 3, 4)
    await settle()
    a.tab.fire('pageshow', true)
    await elect()
    sendRange(second, 5, 6)
    await settle()

    expect(b.ids()).toEqual(range(1, 6))
    expect(roles(a, b)).toEqual(['follower', 'leader'])
    // Caught up from the leader's history: 3 and 4 came while it was away.
    expect(a.ids()).toEqual(range(1, 6))
    expect(liveConnections()).toEqual([second])
  })

  it("relays a websocketFormat function's messages as they came: no tab decodes them again", async () => {
    fake = createFakeTransport('websocket')
    const options = { decode: 'json' as const, websocketFormat: (frame: string) => ({ data: JSON.parse(frame) as unknown }) }
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2, options)
    // What the websocket transport reports for a function's message, and for any other event.
    connection.sink.message('dish', { name: 'mapo tofu' }, '1')
    connection.sink.message('dish', { name: 'mapo tofu' }, '1')
    await settle()
    for (const open of [a, b]) {
      expect(open.messages.map((message) => [message.type, message.data, message.id])).toEqual([['dish', { name: 'mapo tofu' }, '1']])
      expect(open.statuses.filter((status) => status.error)).toEqual([])
    }
  })

  it('passes the statuses of the shared connection on: errors, delays and the end', async () => {
    const {
      tabs: [a, b],
      connection: first,
    } = await openGroup(2)
    first.sink.fail(new PushError('http', '503 from GET /stream', { status: 503, retryAfterMs: 300 }))
    await settle()
    const { delayMs } = a.client.status
    expect(delayMs).toBeGreaterThan(0)
    expect(b.client.status).toMatchObject({ state: 'reconnecting', delayMs, attempt: 1, role: 'follower' })
    expect(b.client.status.error).toBeInstanceOf(PushError)
    expect(b.client.status.error).toMatchObject({ code: 'http', status: 503, retryAfterMs: 300, message: '503 from GET /stream' })

    await vi.advanceTimersByTimeAsync(delayMs as number)
    const second = theConnection()
    second.sink.fail(new PushError('closed-by-server', 'HTTP 204'))
    await settle()
    for (const open of [a, b]) expect(open.client.status).toMatchObject({ state: 'closed', error: { code: 'closed-by-server' } })
    // Nobody reconnects after the server said stop.
    await vi.advanceTimersByTimeAsync(10_000)
    expect(liveConnections()).toEqual([])
  })

  it("adds the followers' event types to the leader's connection", async () => {
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2)
    b.client.on('tick', () => {})
    await settle()
    expect(connection.listened).toContain('tick')

    a.client.close()
    await elect()
    // The next leader listens to every tab's types from its first request on.
    const c = await openTab('c')
    c.client.on('tock', () => {})
    await settle()
    expect(liveConnections()[0].request.eventTypes).toEqual(expect.arrayContaining(['tick']))
    expect(liveConnections()[0].listened).toContain('tock')
  })

  it("sends from a follower through the leader's WebSocket, and POSTs by itself on other transports", async () => {
    fake = createFakeTransport('websocket', { canSend: true })
    const fetch = vi.fn(async () => new Response(null, { status: 204 }))
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2, { fetch })
    const sent = b.client.send({ hello: 'leader' })
    await settle()
    await expect(sent).resolves.toBeUndefined()
    expect(connection.sent).toEqual(['{"hello":"leader"}'])
    expect(fetch).not.toHaveBeenCalled()

    // Not a WebSocket: the follower POSTs with its own options, as an unshared client does.
    a.client.close()
    b.client.close()
    fake = createFakeTransport('fetch-sse')
    const {
      tabs: [c, d],
    } = await openGroup(2, { fetch })
    await d.client.send('by post')
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]).toEqual([URL, expect.objectContaining({ method: 'POST', body: 'by post' })])
    expect(c.client.status.role).toBe('leader')
  })

  it('catches a tab that joins with lastEventId up from the leader, before anything newer', async () => {
    const a = await openTab('a')
    await elect()
    const connection = theConnection()
    connection.sink.open()
    sendRange(connection, 1, 10)
    await settle()
    // Joining now, while the leader relays more: still one ordered stream for the new tab.
    const b = await openTab('b', { lastEventId: '4' })
    sendRange(connection, 11, 12)
    await settle()
    const c = await openTab('c', { lastEventId: 'gone' })
    await settle()
    expect(a.ids()).toEqual(range(1, 12))
    expect(b.ids()).toEqual(range(5, 12))
    expect(b.client.status).toMatchObject({ state: 'open', role: 'follower' })
    // An id the leader no longer holds: a reset, then what it has, as the server does.
    expect(c.messages[0]).toMatchObject({ type: 'pushwire:reset', data: '{"lastEventId":"gone"}' })
    expect(c.ids().slice(1)).toEqual(range(1, 12))
  })

  it('catches up a tab that joined while no tab led, once one does', async () => {
    const {
      tabs: [a, b],
      connection: first,
    } = await openGroup(2)
    sendRange(first, 1, 3)
    await settle()
    a.client.close()
    const c = await openTab('c', { lastEventId: '1' })
    const second = await takeOver()
    sendRange(second, 4, 5)
    await settle()
    expect(b.ids()).toEqual(range(1, 5))
    expect(c.ids()).toEqual(range(2, 5))
  })

  it('catches up a tab that joins at the resume point the leader started from, with no reset', async () => {
    // Two tabs restored with the same stored id: the leader resumed from it, so 5 is not in its
    // history, yet the tab that joins there has missed nothing.
    const a = await openTab('a', { lastEventId: '5' })
    await elect()
    const connection = theConnection()
    expect(connection.request.lastEventId()).toBe('5')
    connection.sink.open()
    sendRange(connection, 6, 8)
    await settle()
    const b = await openTab('b', { lastEventId: '5' })
    await settle()
    for (const open of [a, b]) expect(open.messages.map((message) => message.type + ' ' + message.id)).toEqual(['message 6', 'message 7', 'message 8'])
  })

  it("relays every other event when one cannot cross to the other tabs, and says so in every tab", async () => {
    fake = createFakeTransport('websocket')
    const options = { websocketFormat: (frame: string) => ({ data: JSON.parse(frame) as unknown }) }
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2, options)
    connection.sink.message('dish', { name: 'tofu' }, '1')
    // What a websocketFormat function may make: data with a method, which no channel can clone.
    connection.sink.message('dish', { name: 'ramen', render() {} }, '2')
    connection.sink.message('dish', { name: 'pho' }, '3')
    await settle()
    connection.sink.message('dish', { name: 'soba' }, '4')
    await settle()
    const c = await openTab('c', { ...options, lastEventId: '1' })
    await settle()

    expect(a.ids()).toEqual(range(1, 4))
    expect(b.ids()).toEqual(['1', '3', '4'])
    expect(c.ids()).toEqual(['3', '4'])
    for (const open of [a, b, c]) {
      expect(open.client.status).toMatchObject({ state: 'open', error: { code: 'protocol' } })
      expect(open.client.status.error?.message).toBe("could not pass 'dish' to the other tabs")
    }
  })

  it('evaluates headers and query in the leader only: a follower whose own fail gets every event, and its send() POSTs with them', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }))
    const a = await openTab('a', { fetch, headers: () => ({ authorization: 'Bearer a' }) })
    await elect()
    // This tab's token is not there yet: had it connected by itself, it would stay connecting.
    let token: string | undefined
    const tokenOf = () => {
      if (!token) throw new Error('no token yet')
      return token
    }
    const b = await openTab('b', { fetch, retry: false, headers: () => ({ authorization: 'Bearer ' + tokenOf() }), query: () => ({ t: tokenOf() }) })
    await settle()
    const connection = theConnection()
    connection.sink.open()
    sendRange(connection, 1, 2)
    await settle()
    expect(b.ids()).toEqual(range(1, 2))
    expect(b.client.status).toMatchObject({ state: 'open', role: 'follower' })
    expect(b.statuses.filter((status) => status.error)).toEqual([])
    expect(a.client.status.role).toBe('leader')

    token = 'b'
    await b.client.send('hello')
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]).toEqual([URL + '?t=b', expect.objectContaining({ method: 'POST', body: 'hello', headers: expect.objectContaining({ authorization: 'Bearer b' }) })])
  })

  it('connects every tab again after the server ended the stream, and a tab that connects again follows until it leads', async () => {
    const {
      tabs: [a, b],
      connection: first,
    } = await openGroup(2)
    sendRange(first, 1, 1)
    await settle()
    first.sink.fail(new PushError('closed-by-server', 'HTTP 204'))
    await settle()
    for (const open of [a, b]) expect(open.client.status).toMatchObject({ state: 'closed', role: open === a ? 'leader' : 'follower' })
    const seen = a.statuses.length

    // The old follower first, and the old leader while that one's election is under way (the
    // channel election's before it claims): b leads, and catches a up as it starts.
    await inTab(b.tab, () => b.client.connect())
    if (!withLocks) await vi.advanceTimersByTimeAsync(50)
    await inTab(a.tab, () => a.client.connect())
    const second = await takeOver()
    sendRange(second, 2, 3)
    await settle()
    for (const open of [a, b]) {
      expect(open.client.status.state).toBe('open')
      expect(open.ids()).toEqual(range(1, 3))
    }
    expect(roles(a, b)).toEqual(['follower', 'leader'])
    expect(a.statuses.slice(seen).map((status) => status.role)).toEqual(a.statuses.slice(seen).map(() => 'follower'))
  })

  it('lets the leader close() in a message listener: no error, and the next leader goes on from there', async () => {
    await expectNoUnhandledRejection(async () => {
      const a = await openTab('a')
      a.client.on('done', () => a.client.close())
      await elect()
      const b = await openTab('b')
      await settle()
      const first = await takeOver()
      sendRange(first, 1, 1)
      await settle()
      sendRange(first, 2, 2)
      first.sink.event('done', 'bye', '3')
      await settle()
      expect(a.client.state).toBe('closed')
      const second = await takeOver()
      // A server that replays from one before the resume point: the tabs drop what they have.
      sendRange(second, 1, 2)
      second.sink.event('done', 'bye', '3')
      await settle()
      expect(a.ids()).toEqual(range(1, 3))
      expect(b.ids()).toEqual(range(1, 3))
      expect(b.client.status).toMatchObject({ state: 'open', role: 'leader' })
    })
  })

  it("answers no follower's send() on the channel after the leader closed", async () => {
    await expectNoUnhandledRejection(async () => {
      // A WebSocket that cannot send just now: the leader POSTs for the follower.
      fake = createFakeTransport('websocket', { canSend: false })
      let answer = (_response: Response) => {}
      const fetch = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)))
      const {
        tabs: [a, b],
      } = await openGroup(2, { fetch })
      const failure = b.client.send('hello').catch((error: unknown) => error)
      await settle()
      expect(fetch).toHaveBeenCalledTimes(1)
      a.client.close()
      answer(new Response(null, { status: 204 }))
      await elect()
      // In flight when the leader left: the tab cannot know whether it went out.
      expect(await failure).toMatchObject({ code: 'network' })
    })
  })

  it('close() in a follower detaches only that tab', async () => {
    const {
      tabs: [a, b, c],
      connection,
    } = await openGroup(3)
    sendRange(connection, 1, 2)
    await settle()
    b.client.close()
    sendRange(connection, 3, 4)
    await settle()
    expect(b.ids()).toEqual(range(1, 2))
    expect(b.client.state).toBe('closed')
    for (const open of [a, c]) expect(open.ids()).toEqual(range(1, 4))
    expect(liveConnections()).toEqual([connection])
  })

  it('ends the iterator of a tab at close(), with every message before', async () => {
    const {
      tabs: [a, b],
      connection,
    } = await openGroup(2)
    const seen: Array<string | undefined> = []
    const done = (async () => {
      for await (const message of b.client) seen.push(message.id)
    })()
    sendRange(connection, 1, 3)
    await settle()
    b.client.close()
    await done
    expect(seen).toEqual(range(1, 3))
    expect(a.ids()).toEqual(range(1, 3))
  })
})

describe('two leaders at once', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    installFakeTabs(false)
    fake = createFakeTransport()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('never repeats or skips an event in any tab', async () => {
    // Slow enough that both tabs claim the lead, settle and connect before they hear each other.
    FakeBroadcastChannel.latencyMs = 150
    const a = await openTab('a')
    const b = await openTab('b')
    await vi.advanceTimersByTimeAsync(220)
    expect(liveConnections()).toHaveLength(2)
    const [first, second] = liveConnections()
    first.sink.open()
    second.sink.open()
    // The same stream, each connection at its own pace, as two clients of one server are.
    sendRange(first, 1, 3)
    sendRange(second, 1, 2)
    await vi.advanceTimersByTimeAsync(50)
    sendRange(second, 3, 6)
    sendRange(first, 4, 5)
    await vi.advanceTimersByTimeAsync(1000)
    // The later claim yields: one leader, one connection.
    expect(liveConnections()).toHaveLength(1)
    const winner = liveConnections()[0]
    sendRange(winner, winner === first ? 6 : 7, 9)
    await vi.advanceTimersByTimeAsync(1000)
    for (const open of [a, b]) expect(open.ids()).toEqual(range(1, 9))
    expect(roles(a, b).sort()).toEqual(['follower', 'leader'])
  })
})

describe('without BroadcastChannel', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('connects by itself, as an unshared client', () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    fake = createFakeTransport()
    const client = createPushClient({ url: URL, transports: [fake.transport], share: shareAcrossTabs() })
    expect(client.state).toBe('connecting')
    expect(client.status.role).toBeUndefined()
    client.close()
  })
})

describe('options', () => {
  it('refuses a share option that shareAcrossTabs() did not make', () => {
    expect(() => createPushClient({ url: URL, share: {} as never })).toThrow(TypeError)
    expect(() => createPushClient({ url: URL, share: {} as never })).toThrow('options.share must be the value of shareAcrossTabs()')
  })

  it('refuses shareAcrossTabs itself, not called, as the share option', () => {
    // Only TypeScript catches this; in JavaScript the "client" used to be a function.
    const share = shareAcrossTabs as unknown as ReturnType<typeof shareAcrossTabs>
    expect(() => createPushClient({ url: URL, share })).toThrow(TypeError)
    expect(() => createPushClient({ url: URL, share })).toThrow('options.share must be the value of shareAcrossTabs()')
  })

  it('refuses a key that is not a non-empty string', () => {
    expect(() => shareAcrossTabs({ key: '' })).toThrow(TypeError)
    expect(() => shareAcrossTabs({ key: 5 as never })).toThrow('options.key must be a non-empty string')
  })
})
