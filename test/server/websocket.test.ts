import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createPushServer } from '../../src/server/index'
import { deferred, waitFor } from '../helpers/wait'
import { recordClient } from '../interop/fixtures/recorded-client'
import { closeServers, openSocket, startServer } from './helpers'

afterEach(closeServers)

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('WebSocket', () => {
  it('sends the opening comment frame, then live events batched per tick', async () => {
    const { port, push } = await startServer({}, true)
    const socket = await openSocket(port, '/stream')
    await socket.frameCount(1)
    push.publish({ data: 'a' })
    push.publish({ event: 'dish', data: { n: 1 } })
    await socket.frameCount(2)
    push.publish({ data: 'c' })
    expect(await socket.frameCount(3)).toEqual([':ok\n\n', 'id: 1\ndata: a\n\nevent: dish\nid: 2\ndata: {"n":1}\n\n', 'id: 3\ndata: c\n\n'])
    socket.ws.close()
  })

  it('replays after lastEventId in its own frame, with retry: in the opening one', async () => {
    const { port, push } = await startServer({ retryMs: 1500 }, true)
    for (let i = 1; i <= 3; i++) push.publish({ data: `e${i}` })
    await tick()
    const socket = await openSocket(port, '/stream?lastEventId=1')
    expect(await socket.frameCount(2)).toEqual([':ok\n\nretry: 1500\n\n', 'id: 2\ndata: e2\n\nid: 3\ndata: e3\n\n'])
    socket.ws.close()
  })

  it('resets a client whose resume point fell out of the buffer', async () => {
    const { port, push } = await startServer({ bufferSize: 1 }, true)
    push.publish({ data: 'old' })
    push.publish({ data: 'new' })
    await tick()
    const socket = await openSocket(port, '/stream?lastEventId=0')
    expect((await socket.frameCount(2))[1]).toBe('event: pushwire:reset\ndata: {"lastEventId":"0"}\n\nid: 2\ndata: new\n\n')
    socket.ws.close()
  })

  it('splits a burst published in one tick into frames of at most 64 KiB that end with an event', async () => {
    const { port, push } = await startServer({ bufferSize: 4000 }, true)
    const socket = await openSocket(port, '/stream')
    await socket.frameCount(1)
    const pad = 'x'.repeat(500)
    for (let i = 1; i <= 2000; i++) push.publish({ data: `${i} ${pad}` })
    await waitFor(() => socket.frames.join('').endsWith(`id: 2000\ndata: 2000 ${pad}\n\n`), 'the whole burst')
    const burst = socket.frames.slice(1)
    expect(burst.length).toBeGreaterThan(1)
    for (const frame of burst) {
      expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(64 * 1024)
      expect(frame.endsWith('\n\n')).toBe(true)
    }
    socket.ws.close()
  })

  it('delivers such a burst whole to a Node pushwire client whose frame bound is smaller than the burst', async () => {
    const { port, push } = await startServer({ bufferSize: 4000 }, true)
    // ws's maxPayload is 8 × maxMessageBytes: 128 KiB here, the burst is about 1 MB.
    const recorded = recordClient({ url: `http://127.0.0.1:${port}/stream`, transports: ['websocket'], maxMessageBytes: 16 * 1024 })
    await recorded.until(() => recorded.client.state === 'open', 'open')
    const pad = 'x'.repeat(500)
    for (let i = 1; i <= 2000; i++) push.publish({ data: `${i} ${pad}` })
    await recorded.until(() => recorded.messages.length >= 2000, '2,000 messages')
    expect(recorded.data()).toEqual(Array.from({ length: 2000 }, (_, i) => `${i + 1} ${pad}`))
    expect(recorded.errorCodes()).toEqual([])
    expect(recorded.statuses.map((status) => status.state)).not.toContain('reconnecting')
  })

  it('sends comment heartbeats', async () => {
    const { port } = await startServer({ heartbeatMs: 20 }, true)
    const socket = await openSocket(port, '/stream')
    expect((await socket.frameCount(3)).slice(0, 3)).toEqual([':ok\n\n', ':\n\n', ':\n\n'])
    socket.ws.close()
  })

  it('hands incoming text frames to onMessage with the upgrade request', async () => {
    const received = deferred<{ data: string; transport: string; url: string | undefined }>()
    const { port } = await startServer(
      { onMessage: (data, info) => received.resolve({ data, transport: info.transport, url: info.req.url }) },
      true,
    )
    const socket = await openSocket(port, '/stream?room=7')
    socket.ws.send('{"hello":"server"}')
    expect(await received.promise).toEqual({ data: '{"hello":"server"}', transport: 'websocket', url: '/stream?room=7' })
    socket.ws.close()
  })

  it('stops reading a socket while 32 onMessage calls are unsettled, then takes every frame in order', async () => {
    let pending = 0
    let mostPending = 0
    const received: string[] = []
    const release: Array<() => void> = []
    const { port } = await startServer(
      {
        onMessage: (data) => {
          received.push(data)
          mostPending = Math.max(mostPending, ++pending)
          return new Promise<void>((resolve) => release.push(() => resolve(void pending--)))
        },
      },
      true,
    )
    const socket = await openSocket(port, '/stream')
    // 16 MB: more than loopback socket buffers hold, so a paused socket holds most of it back.
    const sent = Array.from({ length: 2000 }, (_, i) => `m${i} `.padEnd(8192, '.'))
    for (const message of sent) socket.ws.send(message)
    await waitFor(() => received.length >= 32)
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Frames already parsed when the socket paused still arrive, but not the rest of the flood.
    expect(received.length).toBeLessThan(1000)
    while (received.length < sent.length) {
      release.splice(0).forEach((settle) => settle())
      await tick()
    }
    release.splice(0).forEach((settle) => settle())
    expect(received).toEqual(sent)
    expect(mostPending).toBeLessThan(1000)
    socket.ws.close()
  })

  it('closes with 1003 on a binary frame and with 1011 when onMessage throws', async () => {
    const { port } = await startServer(
      {
        onMessage: () => {
          throw new Error('app bug')
        },
      },
      true,
    )
    const binary = await openSocket(port, '/stream')
    binary.ws.send(Buffer.from([1, 2, 3]))
    expect((await binary.closed).code).toBe(1003)
    const failing = await openSocket(port, '/stream')
    const logged = console.error
    console.error = () => {}
    try {
      failing.ws.send('boom')
      expect(await failing.closed).toEqual({ code: 1011, reason: 'onMessage failed' })
    } finally {
      console.error = logged
    }
  })

  it('refuses the upgrade with 401 when authorize says no', async () => {
    const { port } = await startServer({ authorize: async (req) => req.headers.authorization === 'Bearer ok' }, true)
    await expect(openSocket(port, '/stream')).rejects.toMatchObject({ status: 401 })
    const allowed = await openSocket(port, '/stream', { authorization: 'Bearer ok' })
    allowed.ws.close()
  })

  it('refuses a malformed lastEventId with 400 and a disallowed Origin with 403', async () => {
    const { port } = await startServer({ cors: { origin: ['https://app.example'] } }, true)
    await expect(openSocket(port, '/stream?lastEventId=' + 'x'.repeat(257))).rejects.toMatchObject({ status: 400 })
    await expect(openSocket(port, '/stream?lastEventId=a%00b')).rejects.toMatchObject({ status: 400 })
    await expect(openSocket(port, '/stream', { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 })
    const ok = await openSocket(port, '/stream', { origin: 'https://app.example' })
    ok.ws.close()
  })

  it('upgrades only on `path`, and leaves other paths to other upgrade listeners', async () => {
    const { port } = await startServer({ path: '/stream' }, true)
    await expect(openSocket(port, '/elsewhere')).rejects.toMatchObject({ status: 404 })
    const ok = await openSocket(port, '/stream?lastEventId=0')
    ok.ws.close()

    const push = createPushServer({ path: '/stream' })
    const http = createServer(push.handler)
    push.attach(http)
    const others: string[] = []
    http.on('upgrade', (req, socket) => {
      if (req.url !== '/hmr') return
      others.push(req.url)
      socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n')
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const otherPort = (http.address() as { port: number }).port
    await expect(openSocket(otherPort, '/hmr')).rejects.toMatchObject({ status: 418 })
    expect(others).toEqual(['/hmr'])
    await push.close()
    await new Promise((resolve) => http.close(resolve))
  })

  it('refuses an upgrade that none of several push servers on one HTTP server serves', async () => {
    const dishes = createPushServer({ path: '/dishes' })
    const orders = createPushServer({ path: '/orders' })
    const http = createServer()
    dishes.attach(http)
    orders.attach(http)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const port = (http.address() as { port: number }).port
    await expect(openSocket(port, '/elsewhere')).rejects.toMatchObject({ status: 404 })
    const first = await openSocket(port, '/dishes')
    const second = await openSocket(port, '/orders')
    await waitFor(() => dishes.clientCount === 1)
    await waitFor(() => orders.clientCount === 1)
    first.ws.close()
    second.ws.close()
    await Promise.all([dishes.close(), orders.close()])
    await new Promise((resolve) => http.close(resolve))
  })

  it('counts sockets, drops them on disconnectAll() and closes them with 1001 on close()', async () => {
    const { port, push } = await startServer({}, true)
    const dropped = await openSocket(port, '/stream')
    await waitFor(() => push.clientCount === 1, 'one socket')
    expect(push.disconnectAll()).toBe(1)
    expect((await dropped.closed).code).toBe(1006)
    await waitFor(() => push.clientCount === 0, 'socket forgotten')

    const socket = await openSocket(port, '/stream')
    await waitFor(() => push.clientCount === 1, 'one socket')
    await push.close()
    expect(await socket.closed).toEqual({ code: 1001, reason: 'Server closing' })
    await expect(openSocket(port, '/stream')).rejects.toMatchObject({ status: 503 })
  })

  it('ignores a second attach() to the same server', async () => {
    const { port, push, http } = await startServer({}, true)
    push.attach(http)
    expect(http.listenerCount('upgrade')).toBe(1)
    const socket = await openSocket(port, '/stream')
    expect(await socket.frameCount(1)).toEqual([':ok\n\n'])
    socket.ws.close()
  })
})
