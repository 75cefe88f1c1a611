import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPushServer } from '../../src/server/index'
import { deferred } from '../helpers/wait'
import { closeServers, fetchText, openStream, startServer } from './helpers'

afterEach(closeServers)

const SSE = { accept: 'text/event-stream' }

describe('POST (send() on HTTP transports)', () => {
  it('hands the body to onMessage and answers 204', async () => {
    const received = deferred<{ data: string; transport: string }>()
    const { port } = await startServer({ onMessage: (data, info) => received.resolve({ data, transport: info.transport }) })
    const reply = await fetchText(port, '/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"héllo"}',
    })
    expect(reply.status).toBe(204)
    expect(await received.promise).toEqual({ data: '{"text":"héllo"}', transport: 'http' })
  })

  it('answers only after an async onMessage has finished, and 500 when it fails', async () => {
    const called = deferred()
    const release = deferred()
    const { port } = await startServer({
      onMessage: async (data) => {
        if (data === 'fail') throw new Error('app bug')
        called.resolve()
        await release.promise
      },
    })
    let answered = false
    const pending = fetchText(port, '/', { method: 'POST', body: 'wait' }).then((reply) => {
      answered = true
      return reply
    })
    await called.promise
    // A full round trip later the POST must still be waiting for onMessage.
    await fetchText(port, '/stream?transport=long-poll')
    expect(answered).toBe(false)
    release.resolve()
    expect((await pending).status).toBe(204)
    const logged = console.error
    console.error = () => {}
    try {
      const failed = await fetchText(port, '/', { method: 'POST', body: 'fail' })
      expect(failed.status).toBe(500)
    } finally {
      console.error = logged
    }
  })

  it('refuses a body over maxBodyBytes with 413, whether announced or streamed', async () => {
    const seen: string[] = []
    const { port } = await startServer({ maxBodyBytes: 10, onMessage: (data) => void seen.push(data) })
    const announced = await fetchText(port, '/', { method: 'POST', body: 'x'.repeat(11) })
    expect(announced.status).toBe(413)
    expect(announced.body).toContain('maxBodyBytes')
    const chunked = await fetchText(port, '/', {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: 'y'.repeat(100_000),
    })
    expect(chunked.status).toBe(413)
    expect((await fetchText(port, '/', { method: 'POST', body: 'x'.repeat(10) })).status).toBe(204)
    expect(seen).toEqual(['x'.repeat(10)])
  })

  it('answers 405 to POST when no onMessage is configured', async () => {
    const { port } = await startServer()
    const reply = await fetchText(port, '/', { method: 'POST', body: 'hi' })
    expect(reply.status).toBe(405)
    expect(reply.headers.allow).toBe('GET, OPTIONS')
    expect(reply.body).toContain('onMessage')
  })

  it('uses a body that middleware has already parsed (express.json/text)', async () => {
    const received = deferred<string>()
    const push = createPushServer({ onMessage: (data) => received.resolve(data) })
    // What body-parser leaves behind: the stream consumed, the result on req.body.
    const http = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        ;(req as IncomingMessage & { body?: unknown }).body = { parsed: true }
        push.handler(req, res)
      })
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const reply = await fetchText((http.address() as AddressInfo).port, '/', { method: 'POST', body: '{"parsed":true}' })
    expect(reply.status).toBe(204)
    expect(await received.promise).toBe('{"parsed":true}')
    await push.close()
    await new Promise((resolve) => http.close(resolve))
  })

  it('answers 400, not never, when middleware read the body and kept nothing', async () => {
    const push = createPushServer({ onMessage: () => {} })
    const http = createServer((req, res) => {
      req.resume()
      req.on('end', () => push.handler(req, res))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const reply = await fetchText((http.address() as AddressInfo).port, '/', { method: 'POST', body: 'lost' })
    expect(reply.status).toBe(400)
    expect(reply.body).toContain('already read')
    await push.close()
    await new Promise((resolve) => http.close(resolve))
  })
})

describe('bad requests', () => {
  it('answers 405 with Allow to other methods', async () => {
    const { port } = await startServer({ onMessage: () => {} })
    for (const method of ['PUT', 'DELETE', 'PATCH', 'HEAD']) {
      const reply = await fetchText(port, '/stream', { method })
      expect(reply.status, method).toBe(405)
      expect(reply.headers.allow).toBe('GET, POST, OPTIONS')
    }
  })

  it('answers 406 to a plain GET that asks for neither SSE nor long-poll', async () => {
    const { port } = await startServer()
    const reply = await fetchText(port, '/stream', { headers: { accept: 'text/html' } })
    expect(reply.status).toBe(406)
    expect(reply.body).toContain('text/event-stream')
  })

  it('answers 400 to an unknown transport and to transport=websocket without an upgrade', async () => {
    const { port } = await startServer()
    const unknown = await fetchText(port, '/stream?transport=carrier-pigeon', { headers: SSE })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toContain('eventsource, fetch-sse, long-poll')
    expect((await fetchText(port, '/stream?transport=websocket', { headers: SSE })).status).toBe(400)
  })

  it('answers 400 to a malformed lastEventId on every HTTP transport', async () => {
    const { port } = await startServer()
    const tooLong = 'x'.repeat(257)
    const cases = [
      { path: `/stream?lastEventId=${tooLong}`, headers: SSE },
      { path: '/stream?lastEventId=a%00b', headers: SSE },
      { path: '/stream?lastEventId=a%0Ab', headers: SSE },
      { path: '/stream', headers: { ...SSE, 'last-event-id': tooLong } },
      { path: `/stream?transport=long-poll&lastEventId=${tooLong}`, headers: {} },
      { path: '/stream?transport=long-poll&lastEventId=%1B', headers: {} },
    ]
    for (const { path, headers } of cases) {
      const reply = await fetchText(port, path, { headers })
      expect(reply.status, path).toBe(400)
      expect(reply.body).toContain('lastEventId')
    }
    // 256 characters is still fine.
    const longest = await openStream(port, `/stream?lastEventId=${'x'.repeat(256)}`)
    expect(longest.status).toBe(200)
    longest.close()
  })

  it('keeps serving open streams while answering bad requests', async () => {
    const { port, push } = await startServer()
    const stream = await openStream(port, '/stream')
    await stream.until((t) => t === ':ok\n\n', 'opening comment')
    await fetchText(port, '/stream?transport=nope', { headers: SSE })
    await fetchText(port, '/stream', { method: 'DELETE' })
    push.publish({ data: 'still here' })
    await stream.until((t) => t.indexOf('still here') !== -1, 'event after bad requests')
    stream.close()
  })
})

describe('authorize', () => {
  it('answers 401 on SSE, long-poll and POST when it returns false', async () => {
    const { port } = await startServer({
      authorize: (req) => req.headers.authorization === 'Bearer ok',
      onMessage: () => {},
    })
    expect((await fetchText(port, '/stream', { headers: SSE })).status).toBe(401)
    expect((await fetchText(port, '/stream?transport=long-poll')).status).toBe(401)
    expect((await fetchText(port, '/stream', { method: 'POST', body: 'x' })).status).toBe(401)
    const auth = { authorization: 'Bearer ok' }
    expect((await fetchText(port, '/stream?transport=long-poll', { headers: auth })).status).toBe(200)
    expect((await fetchText(port, '/stream', { method: 'POST', body: 'x', headers: auth })).status).toBe(204)
    const stream = await openStream(port, '/stream', { ...SSE, ...auth })
    expect(stream.status).toBe(200)
    stream.close()
  })

  it('refuses a stream whose authorize was still pending when close() ran', async () => {
    const asked = deferred()
    const verdict = deferred<boolean>()
    const { port, push } = await startServer({
      authorize: () => {
        asked.resolve()
        return verdict.promise
      },
    })
    const reply = fetchText(port, '/stream', { headers: SSE })
    await asked.promise
    const closed = push.close()
    verdict.resolve(true)
    expect((await reply).status).toBe(503)
    await closed
    expect(push.clientCount).toBe(0)
  })

  it('passes a thrown error to Express-style next(), else answers 500', async () => {
    const failure = new Error('auth backend down')
    const push = createPushServer({
      authorize: () => {
        throw failure
      },
    })
    const nextCalled = deferred<unknown>()
    const http = createServer((req, res) =>
      push.handler(req, res, (error) => {
        nextCalled.resolve(error)
        res.statusCode = 502
        res.end()
      }),
    )
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const reply = await fetchText((http.address() as AddressInfo).port, '/stream', { headers: SSE })
    expect(await nextCalled.promise).toBe(failure)
    expect(reply.status).toBe(502)
    await push.close()
    await new Promise((resolve) => http.close(resolve))

    const { port } = await startServer({
      authorize: () => {
        throw failure
      },
    })
    const logged = console.error
    console.error = () => {}
    try {
      expect((await fetchText(port, '/stream', { headers: SSE })).status).toBe(500)
    } finally {
      console.error = logged
    }
  })
})
