import { afterEach, describe, expect, it } from 'vitest'
import { closeServers, fetchText, openStream, startServer } from './helpers'

afterEach(closeServers)

const APP = 'https://app.example'

function preflight(port: number, origin: string, requestHeaders?: string) {
  return fetchText(port, '/stream', {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'GET',
      ...(requestHeaders ? { 'access-control-request-headers': requestHeaders } : {}),
    },
  })
}

describe('CORS', () => {
  it('echoes an allowed origin on the stream, with credentials and Vary: Origin', async () => {
    const { port } = await startServer({ cors: { origin: [APP, 'https://admin.example'], credentials: true } })
    const stream = await openStream(port, '/stream', { accept: 'text/event-stream', origin: APP })
    expect(stream.headers['access-control-allow-origin']).toBe(APP)
    expect(stream.headers['access-control-allow-credentials']).toBe('true')
    expect(stream.headers.vary).toBe('Origin')
    stream.close()
  })

  it('sends no allow headers to an origin that is not allowed, but still Vary: Origin', async () => {
    const { port } = await startServer({ cors: { origin: APP } })
    const reply = await fetchText(port, '/stream?transport=long-poll', { headers: { origin: 'https://evil.example' } })
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
    expect(reply.headers.vary).toBe('Origin')
  })

  it('refuses a POST from an origin that is not allowed before it reaches authorize or onMessage', async () => {
    const received: string[] = []
    const asked: string[] = []
    const { port } = await startServer({
      cors: { origin: APP, credentials: true },
      authorize: (req) => {
        asked.push(String(req.headers.origin))
        return true
      },
      onMessage: (data) => void received.push(data),
    })
    // A text/plain POST is a simple request: browsers send it cross-site, cookies included, without a preflight.
    const forged = await fetchText(port, '/stream', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: 'forged',
    })
    expect(forged.status).toBe(403)
    const allowed = await fetchText(port, '/stream', { method: 'POST', headers: { origin: APP, 'content-type': 'text/plain' }, body: 'hi' })
    expect(allowed.status).toBe(204)
    expect(received).toEqual(['hi'])
    expect(asked).toEqual([APP])
  })

  it('answers an allowed preflight with methods, headers (including requested ones) and max-age', async () => {
    const { port } = await startServer({ cors: { origin: (origin) => origin.endsWith('.example') }, onMessage: () => {} })
    const reply = await preflight(port, APP, 'authorization, x-tenant, last-event-id, bad header')
    expect(reply.status).toBe(204)
    expect(reply.headers['access-control-allow-origin']).toBe(APP)
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined()
    expect(reply.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS')
    expect(reply.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, Last-Event-ID, Cache-Control, x-tenant')
    expect(reply.headers['access-control-max-age']).toBe('600')
    expect(reply.headers.vary).toBe('Origin, Access-Control-Request-Headers')
  })

  it('refuses a preflight from an origin that is not allowed', async () => {
    const { port } = await startServer({ cors: { origin: APP } })
    const reply = await preflight(port, 'https://evil.example')
    expect(reply.status).toBe(403)
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })

  it("allows any origin with '*' when credentials are off", async () => {
    const { port } = await startServer({ cors: { origin: '*' } })
    const reply = await fetchText(port, '/stream?transport=long-poll', { headers: { origin: 'https://anyone.example' } })
    expect(reply.headers['access-control-allow-origin']).toBe('https://anyone.example')
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined()
  })

  it('puts CORS headers on errors too, so a cross-origin client can read the status', async () => {
    const { port } = await startServer({ cors: { origin: APP }, authorize: () => false })
    const reply = await fetchText(port, '/stream?transport=long-poll', { headers: { origin: APP } })
    expect(reply.status).toBe(401)
    expect(reply.headers['access-control-allow-origin']).toBe(APP)
  })

  it('answers OPTIONS without CORS configured with a plain Allow', async () => {
    const { port } = await startServer()
    const reply = await preflight(port, APP)
    expect(reply.status).toBe(204)
    expect(reply.headers.allow).toBe('GET, OPTIONS')
    expect(reply.headers['access-control-allow-origin']).toBeUndefined()
  })
})
