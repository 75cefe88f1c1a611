// Cross-site WebSocket hijacking and CSRF, played as an attacker's page would: the victim's
// browser sends the session cookie with a WebSocket upgrade and with a simple POST (text/plain
// or a form, no preflight) from any origin. The server must look at Origin itself.
import { afterEach, describe, expect, it } from 'vitest'
import type { IncomingMessage } from 'node:http'
import type { PushServerOptions } from '../../src/server/index'
import { waitFor } from '../helpers/wait'
import { closeServers, fetchText, openSocket, startServer, type Reply } from './helpers'

afterEach(closeServers)

const SESSION = 'session=victim'
const EVIL = 'https://evil.example'
const APP = 'https://app.example'

/** A push server whose users log in with a cookie, recording every message that gets through. */
async function cookieServer(options: PushServerOptions = {}) {
  const received: string[] = []
  const server = await startServer(
    {
      authorize: (req: IncomingMessage) => (req.headers.cookie || '').split(/;\s*/).indexOf(SESSION) !== -1,
      onMessage: (data) => void received.push(data),
      ...options,
    },
    true,
  )
  server.push.publish({ event: 'secret', data: 'the victim’s inbox' })
  return { ...server, received, own: `http://127.0.0.1:${server.port}` }
}

/** A WebSocket upgrade with the victim's cookie, asking for the history: the status, and what it read. */
async function hijack(port: number, headers: Record<string, string>): Promise<{ status: number; read: string }> {
  let socket
  try {
    socket = await openSocket(port, '/stream?lastEventId=0', { cookie: SESSION, ...headers })
  } catch (error) {
    return { status: (error as { status?: number }).status ?? 0, read: '' }
  }
  const { frames } = socket
  await waitFor(() => frames.join('').indexOf('event: secret') !== -1, 'the secret event')
  socket.ws.close()
  return { status: 101, read: frames.join('') }
}

const REFUSED = { status: 403, read: '' }

const BODIES = {
  'text/plain': 'forged message',
  'application/x-www-form-urlencoded': 'message=forged',
  'multipart/form-data; boundary=x': '--x\r\nContent-Disposition: form-data; name="message"\r\n\r\nforged\r\n--x--\r\n',
} as const

/** A POST with the victim's cookie, as a `<form>` or a `no-cors` fetch sends it. */
function forge(port: number, contentType: keyof typeof BODIES, headers: Record<string, string>): Promise<Reply> {
  return fetchText(port, '/stream', { method: 'POST', headers: { cookie: SESSION, 'content-type': contentType, ...headers }, body: BODIES[contentType] })
}

describe('cross-origin WebSocket and POST, default options (no cors)', () => {
  it('refuses a WebSocket from a foreign origin carrying the session cookie: no frame, 403', async () => {
    const { port } = await cookieServer()
    const attempt = await hijack(port, { origin: EVIL })
    expect(attempt).toEqual(REFUSED)
  })

  it.each(Object.keys(BODIES) as Array<keyof typeof BODIES>)('refuses a %s POST from a foreign origin: 403, onMessage never called', async (type) => {
    const { port, received } = await cookieServer()
    const reply = await forge(port, type, { origin: EVIL })
    expect(reply.status).toBe(403)
    expect(reply.body).toMatch(/^Cross-origin request refused: Origin "https:\/\/evil.example" is not this server's own/)
    expect(received).toEqual([])
  })

  it("refuses Origin: null (sandboxed iframes, file:// pages) and another port or scheme of the server's host", async () => {
    const { port, received } = await cookieServer()
    const foreign = ['null', `http://127.0.0.1:${port + 1}`, 'http://127.0.0.1', `http://localhost:${port}`, `HTTP://127.0.0.1:${port}`]
    for (const origin of foreign) {
      expect(await hijack(port, { origin }), origin).toEqual(REFUSED)
      expect((await forge(port, 'text/plain', { origin })).status, origin).toBe(403)
    }
    expect(received).toEqual([])
  })

  it("accepts both from the server's own origin, and from a client that sends no Origin", async () => {
    const { port, received, own } = await cookieServer()
    for (const headers of [{ origin: own }, {}] as Array<Record<string, string>>) {
      const attempt = await hijack(port, headers)
      expect(attempt.status).toBe(101)
      expect(attempt.read).toContain('event: secret')
      expect((await forge(port, 'text/plain', headers)).status).toBe(204)
    }
    expect(received).toEqual(['forged message', 'forged message'])
  })

  it("judges the server's own origin from Host: case, default ports, IPv6, and https on a plain connection", async () => {
    const { port, received } = await cookieServer()
    const same: Array<[host: string, origin: string]> = [
      ['App.Example:8080', 'http://app.example:8080'],
      ['app.example:80', 'http://app.example'],
      ['app.example', 'http://app.example'],
      // A proxy that terminates TLS and keeps Host: the connection is plain, the page is https.
      ['app.example', 'https://app.example'],
      ['[0:0::1]:8080', 'http://[::1]:8080'],
    ]
    for (const [host, origin] of same) {
      expect((await forge(port, 'text/plain', { host, origin })).status, `${host} ${origin}`).toBe(204)
      expect((await hijack(port, { host, origin })).status, `${host} ${origin}`).toBe(101)
    }
    const foreign: Array<[host: string, origin: string]> = [
      ['app.example:80', 'http://app.example:8080'],
      ['app.example', 'https://app.example:80'],
      ['[::1]:8080', 'http://[::2]:8080'],
      ['evil.example@app.example', 'http://app.example'],
      ['app.example, evil.example', 'http://app.example'],
    ]
    for (const [host, origin] of foreign) {
      expect((await forge(port, 'text/plain', { host, origin })).status, `${host} ${origin}`).toBe(403)
      expect((await hijack(port, { host, origin })).status, `${host} ${origin}`).toBe(403)
    }
    expect(received).toHaveLength(same.length)
  })
})

describe("cors.origin: '*'", () => {
  it('lets a foreign origin read a stream, never open a WebSocket or POST', async () => {
    const { port, received, own } = await cookieServer({ cors: { origin: '*' }, authorize: () => true })
    const read = await fetchText(port, '/stream?transport=long-poll&lastEventId=0', { headers: { origin: EVIL } })
    expect(read.status).toBe(200)
    expect(read.headers['access-control-allow-origin']).toBe(EVIL)
    expect(read.body).toContain('event: secret')

    expect(await hijack(port, { origin: EVIL })).toEqual(REFUSED)
    const post = await forge(port, 'text/plain', { origin: EVIL })
    expect(post.status).toBe(403)
    // The page may read why: CORS headers are on the refusal too.
    expect(post.headers['access-control-allow-origin']).toBe(EVIL)
    expect(received).toEqual([])

    expect((await hijack(port, { origin: own })).status).toBe(101)
    expect((await forge(port, 'text/plain', { origin: own })).status).toBe(204)
  })
})

describe("cors.origin: '*' with trustProxy: a foreign page posing as the server's own origin", () => {
  /** The request headers a browser sends after this preflight answer: those it granted, else none (no request at all). */
  async function grantedByPreflight(port: number, requested: string[]): Promise<string[]> {
    const reply = await fetchText(port, '/stream', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': requested.join(', ') },
    })
    const allowed = String(reply.headers['access-control-allow-headers'] || '').toLowerCase().split(/\s*,\s*/)
    return requested.filter((name) => allowed.indexOf(name) !== -1)
  }

  it.each<[string, Record<string, string>]>([
    ['X-Forwarded-Host', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }],
    ['Forwarded', { forwarded: 'host=evil.example;proto=https' }],
  ])('is not granted %s by the preflight, and its POST is refused', async (_name, forged) => {
    const { port, received } = await cookieServer({ cors: { origin: '*' }, trustProxy: true })
    const requested = Object.keys(forged)
    // The browser fails the request when a requested header is not granted; hop-by-hop ones neither.
    expect(await grantedByPreflight(port, [...requested, 'connection', 'x-tenant'])).toEqual(['x-tenant'])
    // What the page can send then: its POST without the forged headers.
    expect((await forge(port, 'text/plain', { origin: EVIL })).status).toBe(403)
    expect(received).toEqual([])
  })
})

describe('an origin cors.origin names', () => {
  it.each<[string, PushServerOptions['cors']]>([
    ['listed', { origin: [APP], credentials: true }],
    ['listed beside *', { origin: [APP, '*'] }],
    ['accepted by the predicate', { origin: (origin) => origin === APP, credentials: true }],
  ])('%s may open a WebSocket and POST with cookies; others still may not', async (_name, cors) => {
    const { port, received } = await cookieServer({ cors })
    expect((await hijack(port, { origin: APP })).status).toBe(101)
    expect((await forge(port, 'application/x-www-form-urlencoded', { origin: APP })).status).toBe(204)
    expect(await hijack(port, { origin: EVIL })).toEqual(REFUSED)
    expect((await forge(port, 'text/plain', { origin: EVIL })).status).toBe(403)
    expect((await forge(port, 'text/plain', { origin: 'null' })).status).toBe(403)
    expect(received).toEqual(['message=forged'])
  })
})

describe('trustProxy', () => {
  // What a TLS-terminating proxy at https://app.example sends on to the server on loopback.
  const BEHIND_PROXY = { host: 'pushwire-upstream:3000', 'x-forwarded-host': 'app.example', 'x-forwarded-proto': 'https' }

  it('off: forged X-Forwarded-Host / X-Forwarded-Proto / Forwarded are ignored, Host decides', async () => {
    const { port, received, own } = await cookieServer()
    const forged: Array<Record<string, string>> = [
      { origin: EVIL, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { origin: EVIL, forwarded: 'host=evil.example;proto=https' },
    ]
    for (const headers of forged) {
      expect(await hijack(port, headers)).toEqual(REFUSED)
      expect((await forge(port, 'text/plain', headers)).status).toBe(403)
    }
    expect((await forge(port, 'text/plain', { ...BEHIND_PROXY, origin: APP })).status).toBe(403)
    expect((await forge(port, 'text/plain', { origin: own, 'x-forwarded-host': 'evil.example' })).status).toBe(204)
    expect(received).toEqual(['forged message'])
  })

  it('on: the host and scheme the proxy reports decide, Host and the connection do not', async () => {
    const { port, received } = await cookieServer({ trustProxy: true })
    expect((await hijack(port, { ...BEHIND_PROXY, origin: APP })).status).toBe(101)
    expect((await forge(port, 'text/plain', { ...BEHIND_PROXY, origin: APP })).status).toBe(204)
    // The proxy says https: an http:// page on the same host (injectable on the network path) is foreign.
    const refused = ['http://app.example', 'http://pushwire-upstream:3000', EVIL]
    for (const origin of refused) {
      expect((await hijack(port, { ...BEHIND_PROXY, origin })).status, origin).toBe(403)
      expect((await forge(port, 'text/plain', { ...BEHIND_PROXY, origin })).status, origin).toBe(403)
    }
    expect(received).toEqual(['forged message'])
  })

  it('on: reads RFC 7239 Forwarded first, the leftmost entry of each header, and falls back to Host per field', async () => {
    const { port, received } = await cookieServer({ trustProxy: true })
    const accepted: Array<Record<string, string>> = [
      { host: 'upstream', forwarded: 'for=192.0.2.60;proto=https;host="app.example", for=10.0.0.1;host=upstream', 'x-forwarded-host': 'evil.example' },
      { host: 'upstream', 'x-forwarded-host': 'app.example, upstream', 'x-forwarded-proto': 'https, http' },
      // A load balancer that keeps Host and reports only the scheme.
      { host: 'app.example', 'x-forwarded-proto': 'https' },
      { host: 'upstream', forwarded: 'host=app.example;proto=wss' },
    ]
    for (const headers of accepted) {
      expect((await forge(port, 'text/plain', { ...headers, origin: APP })).status, JSON.stringify(headers)).toBe(204)
    }
    const refused: Array<Record<string, string>> = [
      { host: 'upstream', forwarded: 'for=192.0.2.60, host=app.example;proto=https' },
      { host: 'app.example', 'x-forwarded-proto': 'gopher' },
      { host: 'upstream', 'x-forwarded-host': 'evil.example@app.example', 'x-forwarded-proto': 'https' },
    ]
    for (const headers of refused) {
      expect((await forge(port, 'text/plain', { ...headers, origin: APP })).status, JSON.stringify(headers)).toBe(403)
    }
    expect(received).toHaveLength(accepted.length)
  })
})

describe('behind nginx on a port other than 443 (docs/security.md)', () => {
  // The page is https://app.example:8443; nginx terminates TLS and proxies over plain HTTP.
  const PAGE = 'https://app.example:8443'

  it('`proxy_set_header Host $host` drops the port: the page is foreign, with or without trustProxy', async () => {
    for (const trustProxy of [false, true]) {
      const { port } = await cookieServer({ trustProxy })
      const headers = { host: 'app.example', 'x-forwarded-proto': 'https', origin: PAGE }
      expect(await hijack(port, headers)).toEqual(REFUSED)
      expect((await forge(port, 'text/plain', headers)).status).toBe(403)
      // Reported as X-Forwarded-Host $host, the port is missing just the same.
      expect((await forge(port, 'text/plain', { ...headers, host: 'upstream', 'x-forwarded-host': 'app.example' })).status).toBe(403)
    }
  })

  it('`Host $http_host` keeps it; so does `X-Forwarded-Host $http_host` with trustProxy', async () => {
    const plain = await cookieServer()
    const keptHost = { host: 'app.example:8443', 'x-forwarded-proto': 'https', origin: PAGE }
    expect((await hijack(plain.port, keptHost)).status).toBe(101)
    expect((await forge(plain.port, 'text/plain', keptHost)).status).toBe(204)
    const trusting = await cookieServer({ trustProxy: true })
    const reported = { host: '127.0.0.1:3000', 'x-forwarded-host': 'app.example:8443', 'x-forwarded-proto': 'https', origin: PAGE }
    expect((await hijack(trusting.port, reported)).status).toBe(101)
    expect((await forge(trusting.port, 'text/plain', reported)).status).toBe(204)
  })
})

describe('X-Content-Type-Options: nosniff', () => {
  it('is on every error body, refused upgrades included, and on streams and 204s', async () => {
    const { port } = await cookieServer({ maxBodyBytes: 8 })
    const replies = await Promise.all([
      forge(port, 'text/plain', { origin: EVIL }),
      fetchText(port, '/stream?transport=long-poll'),
      fetchText(port, '/stream?transport=nope', { headers: { cookie: SESSION } }),
      fetchText(port, '/stream', { method: 'PUT' }),
      fetchText(port, '/stream', { headers: { cookie: SESSION } }),
      forge(port, 'text/plain', {}),
      fetchText(port, '/stream', { method: 'POST', headers: { cookie: SESSION }, body: 'short' }),
      fetchText(port, '/stream?transport=long-poll', { headers: { cookie: SESSION } }),
      fetchText(port, '/stream', { method: 'OPTIONS' }),
    ])
    expect(replies.map((reply) => reply.status)).toEqual([403, 401, 400, 405, 406, 413, 204, 200, 204])
    replies.forEach((reply) => expect(reply.headers['x-content-type-options'], String(reply.status)).toBe('nosniff'))
  })

  it('is on a refused WebSocket upgrade', async () => {
    const { port } = await cookieServer()
    const refusal = await fetchText(port, '/stream', {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', origin: EVIL },
    })
    expect(refusal.status).toBe(403)
    expect(refusal.headers['x-content-type-options']).toBe('nosniff')
  })
})
