import { createServer, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPushServer } from '../../src/server/index'
import { deferred, waitFor, within } from '../helpers/wait'
import { closeServers, openSocket, openStream, parseEvents, startServer } from './helpers'

afterEach(closeServers)

describe('SSE', () => {
  it('answers with event-stream headers and an opening comment before any event', async () => {
    const { port } = await startServer()
    const stream = await openStream(port, '/stream')
    expect(stream.status).toBe(200)
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(stream.headers['cache-control']).toContain('no-cache')
    expect(stream.headers['x-accel-buffering']).toBe('no')
    expect(stream.headers.connection).toBe('keep-alive')
    expect(stream.headers['content-encoding']).toBeUndefined()
    await stream.until((text) => text === ':ok\n\n', 'opening comment')
    stream.close()
  })

  it('sends retry: right after the opening comment when retryMs is set', async () => {
    const { port } = await startServer({ retryMs: 2500 })
    const stream = await openStream(port, '/stream')
    await stream.until((text) => text === ':ok\n\nretry: 2500\n\n', 'retry field')
    stream.close()
  })

  it('numbers published events 1, 2, … and encodes event names, multi-line and JSON data', async () => {
    const { port, push } = await startServer()
    const stream = await openStream(port, '/stream')
    await stream.until((text) => text.length > 0, 'opening comment')
    await expect(push.publish({ data: 'plain' })).resolves.toBe('1')
    await expect(push.publish({ event: 'dish', data: { name: 'pho', sales: 3 } })).resolves.toBe('2')
    await expect(push.publish({ data: 'line one\nline two\r\nline three' })).resolves.toBe('3')
    await expect(push.publish({ event: 'custom', data: '', id: 'abc-7' })).resolves.toBe('abc-7')
    await expect(push.publish({ data: 'after custom' })).resolves.toBe('5')
    const text = await stream.until((t) => t.indexOf('after custom') !== -1, 'five events')
    expect(text).toBe(
      ':ok\n\n' +
        'id: 1\ndata: plain\n\n' +
        'event: dish\nid: 2\ndata: {"name":"pho","sales":3}\n\n' +
        'id: 3\ndata: line one\ndata: line two\ndata: line three\n\n' +
        'event: custom\nid: abc-7\ndata: \n\n' +
        'id: 5\ndata: after custom\n\n',
    )
    stream.close()
  })

  it('writes events published in the same tick as one chunk', async () => {
    const { port, push } = await startServer()
    const stream = await openStream(port, '/stream')
    await stream.until((text) => text === ':ok\n\n', 'opening comment')
    const before = stream.chunks.length
    push.publish({ data: 'a' })
    push.publish({ data: 'b' })
    push.publish({ data: 'c' })
    await stream.until((text) => text.indexOf('data: c') !== -1, 'third event')
    expect(stream.chunks.slice(before)).toEqual(['id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n'])
    stream.close()
  })

  it('delivers every event to every client in order', async () => {
    const { port, push } = await startServer()
    const streams = await Promise.all([1, 2, 3].map(() => openStream(port, '/stream')))
    await waitFor(() => push.clientCount === 3, 'three clients')
    for (let i = 0; i < 50; i++) {
      push.publish({ data: String(i) })
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    for (const stream of streams) {
      const text = await stream.until((t) => t.indexOf('id: 50\n') !== -1, 'all 50 events')
      expect(parseEvents(text).map((e) => e.data)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)))
      stream.close()
    }
  })

  it('resumes after Last-Event-ID, and the header wins over the lastEventId query', async () => {
    const { port, push } = await startServer()
    for (let i = 1; i <= 5; i++) push.publish({ data: `e${i}` })
    await new Promise((resolve) => setImmediate(resolve))
    const byHeader = await openStream(port, '/stream?lastEventId=1', { accept: 'text/event-stream', 'last-event-id': '3' })
    const text = await byHeader.until((t) => t.indexOf('e5') !== -1, 'replay')
    expect(text).toBe(':ok\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\n')
    const byQuery = await openStream(port, '/stream?lastEventId=4')
    expect(await byQuery.until((t) => t.indexOf('e5') !== -1, 'replay')).toBe(':ok\n\nid: 5\ndata: e5\n\n')
    byHeader.close()
    byQuery.close()
  })

  it('reads a non-ASCII Last-Event-ID as UTF-8, the way browsers send it', async () => {
    const { port, push } = await startServer()
    for (const id of ['café-1', '水-2', '水-3']) push.publish({ id, data: id })
    await new Promise((resolve) => setImmediate(resolve))
    for (const id of ['café-1', '水-2']) {
      // Node sends a header string's characters as single bytes: these are the UTF-8 bytes.
      const utf8Bytes = Buffer.from(id).toString('latin1')
      const stream = await openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': utf8Bytes })
      const text = await stream.until((t) => t.indexOf('data: 水-3') !== -1, `replay after ${id}`)
      expect(text).not.toContain('pushwire:reset')
      expect(parseEvents(text)[0].id).toBe(id === 'café-1' ? '水-2' : '水-3')
      stream.close()
    }
  })

  it('treats "0" and the current head as nothing missed', async () => {
    const { port, push } = await startServer()
    const atZero = await openStream(port, '/stream?lastEventId=0')
    await atZero.until((t) => t === ':ok\n\n', 'opening comment')
    push.publish({ data: 'x' })
    await atZero.until((t) => t.indexOf('data: x') !== -1, 'live event')
    const atHead = await openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': '1' })
    await atHead.until((t) => t === ':ok\n\n', 'opening comment')
    push.publish({ data: 'y' })
    expect(await atHead.until((t) => t.indexOf('data: y') !== -1, 'live event')).toBe(':ok\n\nid: 2\ndata: y\n\n')
    atZero.close()
    atHead.close()
  })

  it('sends pushwire:reset, then the whole buffer, when the resume point is gone or unknown', async () => {
    const { port, push } = await startServer({ bufferSize: 3 })
    for (let i = 1; i <= 5; i++) push.publish({ data: `e${i}` })
    await new Promise((resolve) => setImmediate(resolve))
    const expected = (id: string): string =>
      ':ok\n\n' +
      `event: pushwire:reset\ndata: {"lastEventId":"${id}"}\n\n` +
      'id: 3\ndata: e3\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\n'
    for (const id of ['1', '0', 'never-published']) {
      const stream = await openStream(port, `/stream?lastEventId=${id}`)
      expect(await stream.until((t) => t.indexOf('e5') !== -1, `replay after ${id}`)).toBe(expected(id))
      stream.close()
    }
    // "2" was the newest evicted one; "3" is still held, so nothing is reset.
    const held = await openStream(port, '/stream?lastEventId=3')
    expect(await held.until((t) => t.indexOf('e5') !== -1, 'replay')).toBe(':ok\n\nid: 4\ndata: e4\n\nid: 5\ndata: e5\n\n')
    held.close()
  })

  it('sends comment heartbeats, and heartbeat events to transport=eventsource', async () => {
    const { port } = await startServer({ heartbeatMs: 20 })
    const fetchSse = await openStream(port, '/stream?transport=fetch-sse')
    const native = await openStream(port, '/stream?transport=eventsource')
    expect(await fetchSse.until((t) => t.length >= ':ok\n\n:\n\n:\n\n'.length, 'two heartbeats')).toMatch(/^:ok\n\n:\n\n:\n\n/)
    const beat = 'event: pushwire:heartbeat\ndata\n\n'
    expect(await native.until((t) => t.length >= (':ok\n\n' + beat + beat).length, 'two heartbeats')).toMatch(
      new RegExp('^:ok\\n\\n(' + beat.replace(/\n/g, '\\n') + '){2}'),
    )
    fetchSse.close()
    native.close()
  })

  it('counts open streams, and forgets a client that went away', async () => {
    const { port, push } = await startServer()
    expect(push.clientCount).toBe(0)
    const a = await openStream(port, '/stream')
    const b = await openStream(port, '/stream')
    await waitFor(() => push.clientCount === 2, 'two clients')
    a.close()
    await waitFor(() => push.clientCount === 1, 'one client left')
    b.close()
    await waitFor(() => push.clientCount === 0, 'no client left')
  })

  it('forgets a client that left while earlier middleware was still pending', async () => {
    const push = createPushServer()
    const received = deferred()
    const handed = deferred()
    // Middleware (a session lookup, say) that finishes only after the client has gone.
    const http = createServer((req, res) => {
      received.resolve()
      res.on('close', () => {
        push.handler(req, res)
        handed.resolve()
      })
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const port = (http.address() as AddressInfo).port
    const client = get({ host: '127.0.0.1', port, path: '/stream', headers: { accept: 'text/event-stream' }, agent: false })
    client.on('error', () => {})
    await received.promise
    client.destroy()
    await handed.promise
    expect(push.clientCount).toBe(0)
    await within(push.close(), 'close() with no client left')
    await new Promise((resolve) => http.close(resolve))
  })

  it('disconnectAll() drops every stream, WebSocket and held poll, reports how many, and stops counting them at once', async () => {
    const { port, push } = await startServer({}, true)
    const streams = await Promise.all([1, 2].map(() => openStream(port, '/stream')))
    const poll = await openStream(port, '/stream?transport=long-poll&lastEventId=0', {})
    const socket = await openSocket(port, '/stream')
    await waitFor(() => push.clientCount === 4, 'four clients')
    expect(push.disconnectAll()).toBe(4)
    // Dropped is gone, whenever each socket's close event comes.
    expect(push.clientCount).toBe(0)
    await Promise.all(streams.map((stream) => stream.ended).concat(poll.ended))
    expect((await socket.closed).code).toBe(1006)
    expect(push.clientCount).toBe(0)
  })

  it('close() flushes pending events, ends streams cleanly and refuses new ones', async () => {
    const { port, push } = await startServer()
    const stream = await openStream(port, '/stream')
    await stream.until((t) => t === ':ok\n\n', 'opening comment')
    push.publish({ data: 'last words' })
    const closing = push.close()
    expect(push.close()).toBe(closing)
    await closing
    await stream.ended
    expect(stream.text).toBe(':ok\n\nid: 1\ndata: last words\n\n')
    expect(push.clientCount).toBe(0)
    const late = await openStream(port, '/stream')
    expect(late.status).toBe(503)
  })
})
