// Replays are written in pieces, each only once the client took the last: a client that asks
// for a large history and never reads holds one piece, not the history, and is cut after
// writeTimeoutMs. Attacks from issue 14 ("replay amplification"), on loopback.
import { connect, type Socket } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { closeServers, fetchText, openSocket, openStream, parseEvents, startServer } from './helpers'
import { removeFixtureBundle, startPushNode } from './push-nodes'

afterEach(closeServers)
afterAll(removeFixtureBundle)

const EVENT = 'x'.repeat(16 * 1024)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Sends `request` and never reads the answer (the OS stops taking data once its buffers are full). */
function stuckClient(port: number, request: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause()
      socket.write(request)
      resolve(socket)
    })
    socket.on('error', () => {})
  })
}

const sseRequest = (lastEventId: string) =>
  `GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: ${lastEventId}\r\n\r\n`
const longPollRequest = (lastEventId: string) => `GET /stream?transport=long-poll&lastEventId=${lastEventId} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
const webSocketRequest = (lastEventId: string) =>
  `GET /stream?lastEventId=${lastEventId} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'

/** Starts reading a stuck client again; resolves with what it got once the server closed it. */
function drain(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length))
    socket.on('close', () => resolve(bytes))
    socket.resume()
  })
}

describe('replay bounds', () => {
  it('40 clients that ask for a 16 MB replay and never read grow the server by less than 40 × maxClientBufferBytes', async () => {
    const bound = 256 * 1024
    const node = await startPushNode({ bufferSize: 1000, maxClientBufferBytes: bound, writeTimeoutMs: 60_000 })
    try {
      for (let i = 0; i < 10; i++) await node.publishMany({ data: EVENT }, 100)
      const before = (await node.stats()).rss
      // An unknown id: pushwire:reset and the whole history, for every one of them.
      const requests = [...Array(20).fill(sseRequest('unknown')), ...Array(10).fill(webSocketRequest('unknown')), ...Array(10).fill(longPollRequest('unknown'))]
      const stuck = await Promise.all(requests.map((request) => stuckClient(node.port, request)))
      // Time for the server to write whatever the OS takes.
      await sleep(1500)
      const grown = (await node.stats()).rss - before
      // The margin: on the way into the OS's socket buffers (megabytes per loopback socket),
      // some 200 MB passed through the server, and V8 keeps its heap grown after collecting it
      // (measured: +24 MB, of which 8 MB live). Unbounded replays grew it by 1.2 GB.
      expect(grown).toBeLessThan(40 * bound + 32 * 1024 * 1024)

      // Meanwhile the server answers everybody else.
      const reader = await openStream(node.port, '/stream')
      await reader.until((text) => text.startsWith(':ok'), 'a new stream opened')
      const id = await node.publish({ data: 'still serving' })
      await reader.until((text) => text.indexOf(`id: ${id}\n`) !== -1, 'a live event')
      expect((await fetchText(node.port, '/stream?transport=long-poll')).body).toBe(`event: pushwire:heartbeat\nid: ${id}\ndata\n\n`)
      reader.close()
      stuck.forEach((socket) => socket.destroy())
    } finally {
      await node.close()
    }
  })

  it('cuts an SSE client that stops taking its replay for writeTimeoutMs', async () => {
    const { port, push } = await startServer({ bufferSize: 1000, writeTimeoutMs: 300 })
    for (let i = 0; i < 1000; i++) push.publish({ data: EVENT })
    await new Promise((resolve) => setImmediate(resolve))
    const stuck = await stuckClient(port, sseRequest('0'))
    await waitFor(() => push.clientCount === 1, 'replaying client counted')
    await waitFor(() => push.clientCount === 0, 'stalled client cut', 5000)
    // It got what the OS buffers held, far from the 16 MB it asked for, and then the end.
    expect(await drain(stuck)).toBeLessThan(1000 * EVENT.length)
  })

  it('cuts a long-poll whose answer is not taken within writeTimeoutMs', async () => {
    const { port, push } = await startServer({ writeTimeoutMs: 300, maxClientBufferBytes: 64 * 1024 * 1024 })
    await push.publish({ data: 'first' })
    await new Promise((resolve) => setImmediate(resolve))
    const stuck = await stuckClient(port, longPollRequest('1'))
    await waitFor(() => push.clientCount === 1, 'poll held')
    // One batch of 16 MB answers the held poll: more than the OS takes from a client that does not read.
    for (let i = 0; i < 1000; i++) push.publish({ data: EVENT })
    await waitFor(() => push.clientCount === 0, 'poll answered')
    await sleep(600)
    expect(await drain(stuck)).toBeLessThan(1000 * EVENT.length)
  })

  it('cuts replay pages at half of maxClientBufferBytes in bytes, not characters: CJK data does not cut the client', async () => {
    const bound = 4096
    const { port, push } = await startServer({ bufferSize: 1000, maxClientBufferBytes: bound }, true)
    // 3 bytes a character in UTF-8: a page of 2,048 characters would be about 6 KB.
    const data = '中'.repeat(90)
    for (let i = 0; i < 100; i++) push.publish({ data })
    await new Promise((resolve) => setImmediate(resolve))
    // Over WebSocket each replay page is a frame of its own.
    const socket = await openSocket(port, '/stream?lastEventId=0')
    await waitFor(() => parseEvents(socket.frames.join('')).length === 100, 'the replay')
    const pages = socket.frames.slice(1)
    expect(pages.length).toBeGreaterThan(1)
    pages.forEach((page) => expect(Buffer.byteLength(page)).toBeLessThanOrEqual(bound / 2))
    // Still connected and live.
    await push.publish({ data: 'live' })
    await socket.frameCount(pages.length + 2)
    expect(parseEvents(socket.frames.join('')).map((event) => event.data)).toEqual([...Array(100).fill(data), 'live'])
    socket.ws.close()
  })

  it('holds live events published during a replay, and sends them once, after it and in order', async () => {
    const { port, push } = await startServer({ bufferSize: 1000 })
    for (let i = 0; i < 400; i++) push.publish({ data: EVENT })
    await new Promise((resolve) => setImmediate(resolve))
    let text = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(sseRequest('1')))
    // A slow reader: the replay of 6.4 MB takes a while, live events come meanwhile.
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      text += chunk
      socket.pause()
      setTimeout(() => socket.resume(), 2)
    })
    await waitFor(() => push.clientCount === 1, 'replaying client counted')
    for (let i = 0; i < 20; i++) {
      await push.publish({ data: `live ${i}` })
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(text.indexOf('id: 400\n')).toBe(-1)
    await waitFor(() => text.indexOf('data: live 19\n') !== -1, 'the live events', 10000)
    const ids = parseEvents(text.slice(text.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '')).map((event) => Number(event.id))
    expect(ids).toEqual(Array.from({ length: 419 }, (_, i) => i + 2))
    socket.destroy()
  })
})
