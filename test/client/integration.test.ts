import { createServer } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { createPushClient, type PushClient, type PushClientOptions, type PushMessage, type PushStatus } from '../../src/index'
import { createEventSourceShim } from '../helpers/event-source-shim'
import { createMemoryStorage } from '../helpers/memory-storage'
import { createTestServer, type TestServer } from '../helpers/test-server'
import { waitFor, within } from '../helpers/wait'

// The client with its real transports against a scripted loopback server: every contract
// rule that a transport and the retry core must get right together.

let server: TestServer
let client: PushClient | undefined
let messages: PushMessage[]
let statuses: PushStatus[]

const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 }

function connect(options: Partial<PushClientOptions>): PushClient {
  client = createPushClient({
    url: server.url(),
    retry: FAST_RETRY,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    ...options,
  })
  client.on('*', (message) => messages.push(message))
  client.onStatus((status) => statuses.push(status))
  return client
}

const data = () => messages.map((message) => message.data)
const errorCodes = () => statuses.filter((status) => status.error).map((status) => status.error!.code)
const until = (predicate: () => boolean, what: string) => waitFor(predicate, what)

async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

beforeEach(async () => {
  server = await createTestServer()
  messages = []
  statuses = []
})

afterEach(async () => {
  client?.close()
  client = undefined
  await server.close()
})

describe('resume after a drop in the middle of an event', () => {
  it('fetch-sse: resends from Last-Event-ID, loses nothing, repeats nothing', async () => {
    connect({ transports: ['fetch-sse'] })
    const first = (await server.nextRequest()).stream()
    await first.write(':ok\n\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n')
    // Cut after the id line of event 3, before its blank line.
    await first.write('id: 3\ndata: c\n')
    await until(() => messages.length === 2, 'two events')
    first.destroy()
    const second = await server.nextRequest()
    expect(second.headers['last-event-id']).toBe('2')
    second.stream()
    await second.write(':ok\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\nid: 4\ndata: d\n\n')
    await until(() => messages.length === 4, 'four events')
    expect(data()).toEqual(['a', 'b', 'c', 'd'])
    expect(client!.lastEventId).toBe('4')
  })

  it('websocket: resumes with ?lastEventId and drops the replayed duplicate', async () => {
    connect({ transports: ['websocket'] })
    const first = await server.nextSocket()
    await first.send(':ok\n\n')
    await first.send('id: 1\ndata: a\n\nid: 2\ndata: b\n\n')
    await first.send('id: 3\ndata: c\n')
    await until(() => messages.length === 2, 'two events')
    first.terminate()
    const second = await server.nextSocket()
    expect(second.query.get('lastEventId')).toBe('2')
    await second.send(':ok\n\n')
    await second.send('id: 2\ndata: b\n\nid: 3\ndata: c\n\n')
    await until(() => messages.length === 3, 'three events')
    expect(data()).toEqual(['a', 'b', 'c'])
    expect(messages.map((message) => message.transport)).toEqual(['websocket', 'websocket', 'websocket'])
  })

  it('long-poll: every poll carries the newest resume point, a cut poll is asked again', async () => {
    connect({ transports: ['long-poll'] })
    const handshake = await server.nextRequest()
    expect(handshake.query.get('transport')).toBe('long-poll')
    expect(handshake.query.has('lastEventId')).toBe(false)
    handshake.stream()
    await handshake.end('event: pushwire:heartbeat\nid: 0\ndata\n\n')
    const poll = await server.nextRequest()
    expect(poll.query.get('lastEventId')).toBe('0')
    poll.stream()
    await poll.end('id: 1\ndata: a\n\nid: 2\ndata: b\n\n')
    const cut = await server.nextRequest()
    expect(cut.query.get('lastEventId')).toBe('2')
    cut.stream()
    await cut.write('id: 3\ndata: c\n')
    cut.destroy()
    const again = await server.nextRequest()
    expect(again.query.get('lastEventId')).toBe('2')
    again.stream()
    await again.end('id: 3\ndata: c\n\n')
    await until(() => messages.length === 3, 'three events')
    expect(data()).toEqual(['a', 'b', 'c'])
  })
})

describe('HTTP status handling', () => {
  it('204 stops reconnecting for good', async () => {
    connect({ transports: ['fetch-sse'] })
    ;(await server.nextRequest()).respond(204)
    await until(() => client!.state === 'closed', 'closed')
    expect(client!.status.error).toMatchObject({ code: 'closed-by-server', status: 204 })
    expect(server.requests).toHaveLength(1)
  })

  it('500 backs off, then recovers', async () => {
    connect({ transports: ['fetch-sse'] })
    ;(await server.nextRequest()).respond(500, {}, 'boom')
    ;(await server.nextRequest()).respond(502, {}, 'boom')
    const good = (await server.nextRequest()).stream()
    await good.write(':ok\n\ndata: back\n\n')
    await until(() => messages.length === 1, 'an event')
    expect(statuses.filter((status) => status.state === 'reconnecting').map((status) => [status.attempt, status.error?.status])).toEqual([
      [1, 500],
      [2, 502],
    ])
    expect(client!.state).toBe('open')
  })

  it('401 re-evaluates headers and retries with the new ones', async () => {
    let token = 0
    connect({ transports: ['fetch-sse', 'long-poll'], headers: async () => ({ Authorization: `Bearer ${++token}` }) })
    const denied = await server.nextRequest()
    expect(denied.headers.authorization).toBe('Bearer 1')
    denied.respond(401)
    const allowed = await server.nextRequest()
    expect(allowed.headers.authorization).toBe('Bearer 2')
    allowed.stream()
    await allowed.write(':ok\n\ndata: welcome\n\n')
    await until(() => messages.length === 1, 'an event')
    expect(errorCodes()).toEqual(['auth'])
  })

  it('a second 401/403 in a row stops with auth', async () => {
    connect({ transports: ['fetch-sse'], headers: { Authorization: 'Bearer stale' } })
    ;(await server.nextRequest()).respond(401)
    ;(await server.nextRequest()).respond(403)
    await until(() => client!.state === 'closed', 'closed')
    expect(client!.status.error).toMatchObject({ code: 'auth', status: 403 })
  })

  it('503 with Retry-After waits that long', async () => {
    connect({ transports: ['fetch-sse'] })
    ;(await server.nextRequest()).respond(503, { 'Retry-After': '1' })
    await until(() => client!.state === 'reconnecting', 'reconnecting')
    expect(client!.status).toMatchObject({ delayMs: 1000, error: { code: 'http', status: 503, retryAfterMs: 1000 } })
    const next = await within(server.nextRequest(), 'the retry', 3000)
    next.stream()
    await next.write(':ok\n\n')
    await until(() => client!.state === 'open', 'open')
  })
})

describe('faults in the stream', () => {
  it('reopens a stalled stream after heartbeatTimeoutMs', async () => {
    connect({ transports: ['fetch-sse'], heartbeatTimeoutMs: 150 })
    const stalled = (await server.nextRequest()).stream()
    await stalled.write(':ok\n\n')
    const next = await server.nextRequest()
    expect(errorCodes()).toEqual(['heartbeat'])
    await stalled.closed
    next.stream()
    await next.write(':ok\n\ndata: alive\n\n')
    await until(() => messages.length === 1, 'an event')
  })

  it.each<[string, Partial<PushClientOptions>]>([
    ['fetch-sse', { transports: ['fetch-sse'] }],
    ['eventsource', { transports: ['eventsource'], EventSource: createEventSourceShim().EventSource }],
  ])('%s: drops an oversize event as too-large and goes on after reconnecting', async (_, options) => {
    connect({ ...options, maxMessageBytes: 64 })
    const first = (await server.nextRequest()).stream()
    await first.write(`:ok\n\nid: 1\ndata: small\n\nid: 2\ndata: ${'x'.repeat(200)}\n\n`)
    const second = await server.nextRequest()
    expect(errorCodes()).toEqual(['too-large'])
    expect(second.headers['last-event-id'] || second.query.get('lastEventId')).toBe('1')
    second.stream()
    await second.write(':ok\n\nid: 3\ndata: after\n\n')
    await until(() => messages.length === 2, 'two events')
    expect(data()).toEqual(['small', 'after'])
  })

  it('decodes events split at every byte, UTF-8 characters included', async () => {
    connect({ transports: ['fetch-sse'], decode: 'json' })
    const request = (await server.nextRequest()).stream()
    const bytes = Buffer.from(':ok\r\n\r\nevent: dish\r\nid: 1\r\ndata: {"name":"宫保鸡丁 🌶"}\r\n\r\n')
    for (let i = 0; i < bytes.length; i++) await request.write(bytes.subarray(i, i + 1))
    await until(() => messages.length === 1, 'an event')
    expect(messages[0]).toMatchObject({ type: 'dish', id: '1', data: { name: '宫保鸡丁 🌶' } })
  })
})

describe('websocketFormat function', () => {
  it('a message it returns that the client cannot take (an id that is null) drops that frame alone, as a protocol error', async () => {
    // JSON.parse gives `any`: `id: frame.seq` type-checks, and a frame without a number brings null.
    connect({ transports: ['websocket'], websocketFormat: (frame) => JSON.parse(frame) })
    const socket = await server.nextSocket()
    await until(() => client!.state === 'open', 'open')
    await socket.send('{"data":"first","id":"1"}')
    await socket.send('{"data":"unnumbered","id":null}')
    await socket.send('{"data":"second","id":"2"}')
    await until(() => messages.length === 2, 'the frames around it')
    expect(data()).toEqual(['first', 'second'])
    expect(errorCodes()).toEqual(['protocol'])
    expect(statuses.at(-1)?.error?.message).toContain('websocketFormat')
    expect(client!.state).toBe('open')
  })
})

describe('fallback', () => {
  it('moves from a refused WebSocket to the next transport, keeping Last-Event-ID', async () => {
    connect({
      transports: ['websocket', 'fetch-sse'],
      websocketUrl: `ws://127.0.0.1:${await closedPort()}/stream`,
      lastEventId: '7',
    })
    const request = await server.nextRequest()
    expect(request.headers['last-event-id']).toBe('7')
    request.stream()
    await request.write(':ok\n\nid: 8\ndata: next\n\n')
    await until(() => messages.length === 1, 'an event')
    expect(client!.transport).toBe('fetch-sse')
    expect(errorCodes()).toEqual(['network', 'network'])
    expect(messages[0]).toMatchObject({ id: '8', transport: 'fetch-sse' })
  })

  it("remembers a websocketFormat 'text' WebSocket it moved to once a frame came after the upgrade, with no heartbeat", async () => {
    const storage = createMemoryStorage()
    vi.stubGlobal('localStorage', storage)
    try {
      const url = `http://127.0.0.1:${await closedPort()}/stream`
      connect({ url, websocketUrl: server.wsUrl(), transports: ['fetch-sse', 'websocket'], websocketFormat: 'text' })
      const socket = await server.nextSocket()
      await until(() => client!.state === 'open', 'open at the upgrade')
      // The upgrade alone proves nothing: a proxy may complete it and then pass no frame.
      expect([...storage.entries.values()]).toEqual([])
      await socket.send('hello')
      await until(() => messages.length === 1, 'the frame')
      expect([...storage.entries]).toEqual([[`pushwire:transport:${url}`, expect.stringMatching(/ websocket$/)]])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('passes over native EventSource once fetch-sse saw the headers of a held body (default order)', async () => {
    const shim = createEventSourceShim()
    // Long enough that the headers surely reach the client before its connect timeout.
    connect({ EventSource: shim.EventSource, connectTimeoutMs: 1500, lastEventId: '7' })
    for (let i = 0; i < 2; i++) {
      const held = await server.nextRequest()
      expect(held.headers['last-event-id']).toBe('7')
      // What a buffering proxy does: the headers at once, the body held back.
      held.stream()
    }
    const socket = await server.nextSocket()
    expect(socket.query.get('lastEventId')).toBe('7')
    await socket.send(':ok\n\nid: 8\ndata: next\n\n')
    await until(() => messages.length === 1, 'an event')
    expect(messages[0]).toMatchObject({ id: '8', transport: 'websocket' })
    expect(shim.instances).toHaveLength(0)
    expect(server.requests).toHaveLength(2)
  })
})

describe('close() and send()', () => {
  it('close() ends the request on the wire and nothing reconnects', async () => {
    connect({ transports: ['fetch-sse'] })
    const request = (await server.nextRequest()).stream()
    await request.write(':ok\n\n')
    await until(() => client!.state === 'open', 'open')
    client!.close()
    await within(request.closed, 'the server to see the request end')
    expect(request.aborted).toBe(true)
    expect(server.requests).toHaveLength(1)
  })

  it('close() closes the WebSocket', async () => {
    connect({ transports: ['websocket'] })
    const socket = await server.nextSocket()
    await socket.send(':ok\n\n')
    await until(() => client!.state === 'open', 'open')
    client!.close()
    await within(socket.closed, 'the socket to close')
  })

  it('send() goes up as a WebSocket frame while the socket is open', async () => {
    connect({ transports: ['websocket'] })
    const socket = await server.nextSocket()
    await socket.send(':ok\n\n')
    await until(() => client!.state === 'open', 'open')
    await client!.send('hello')
    await client!.send({ dish: 'fish' })
    await until(() => socket.received.length === 2, 'two frames')
    expect(socket.received).toEqual(['hello', '{"dish":"fish"}'])
  })
})
