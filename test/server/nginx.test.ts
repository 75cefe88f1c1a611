// The nginx lines of docs/security.md ("nginx on a port other than 80 or 443"), run through a
// real nginx (Debian's, 1.22) over TLS on 127.0.0.1 and a port other than 80 or 443, in front
// of pushwire/server. The config is built from the doc's ```nginx blocks (only the port, the
// upstream and the certificate's files are changed), so the doc cannot drift from what is
// tested. Requests are made as a page served by that nginx makes them: its Host (with the
// port) and, on WebSocket upgrades and POSTs, its Origin.
import { readFileSync } from 'node:fs'
import { connect } from 'node:tls'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PushServerOptions } from '../../src/server/index'
import { startNginx, type NginxSite } from '../helpers/nginx'
import { waitFor, within } from '../helpers/wait'
import { fetchText, openSocket, openStream, startServer, type TestServer } from './helpers'

const SECURITY_MD = readFileSync(join(__dirname, '../../docs/security.md'), 'utf8')
const [SITE, FORWARDED] = nginxBlocks(SECURITY_MD)
/** The line the doc warns against. */
const WARNED = 'proxy_set_header Host $host;'
const FOREIGN = 'https://evil.example'

/** The ```nginx fenced blocks of a Markdown text. */
function nginxBlocks(markdown: string): string[] {
  const blocks: string[] = []
  markdown.replace(/^```nginx\n([\s\S]*?)^```$/gm, (_, block: string) => String(blocks.push(block)))
  return blocks
}

/** `text` with `line` (which must be in it) replaced. */
function replaceLine(text: string, line: string, by: string): string {
  if (text.indexOf(line) === -1) throw new Error(`docs/security.md changed: no "${line}" in\n${text}`)
  return text.replace(line, by)
}

/** The doc's first block, on the test nginx's port and certificate, proxying to the test's push server. */
function site(nginx: NginxSite, upstreamPort: number): string {
  const edits: Array<[string, string]> = [
    ['listen 8443 ssl;', `listen 127.0.0.1:${nginx.port} ssl;`],
    ['/etc/ssl/certs/app.example.pem;', `${nginx.certificate};`],
    ['/etc/ssl/private/app.example.key;', `${nginx.key};`],
    ['proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${upstreamPort};`],
  ]
  return edits.reduce((text, [line, by]) => replaceLine(text, line, by), SITE)
}

/** The second block in place of the first block's `Host` and `X-Forwarded-Proto` lines, as the doc says. */
function forwardedHost(text: string): string {
  const withoutHost = replaceLine(text, '    proxy_set_header Host $http_host;               # with the port; $host drops it\n', '')
  return withoutHost.replace(/^ *proxy_set_header X-Forwarded-Proto \$scheme;.*\n/m, FORWARDED)
}

/** A push server (recording what `onMessage` got) behind an nginx running `edit(site)`. */
interface Setup {
  push: TestServer['push']
  received: string[]
  port: number
  /** The origin of a page that nginx serves. */
  own: string
}

const closing: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.all(closing.map((close) => close()))
})

async function setup(options: PushServerOptions, edit: (site: string) => string = (same) => same): Promise<Setup> {
  const received: string[] = []
  const server = await startServer({ onMessage: (data) => void received.push(data), ...options }, true)
  closing.push(() => server.close())
  const nginx = await startNginx((where) => edit(site(where, server.port)))
  closing.push(() => nginx.close())
  return { push: server.push, received, port: nginx.port, own: `https://127.0.0.1:${nginx.port}` }
}

/** A WebSocket upgrade through nginx: 101 (after reading an event published once it was open) or the refusal's status. */
async function upgrade({ port, push }: Setup, origin: string): Promise<number> {
  let socket
  try {
    socket = await openSocket(port, '/stream', { origin }, true)
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === undefined) throw error
    return status
  }
  await socket.frameCount(1)
  await push.publish({ event: 'dish', data: 'live over websocket' })
  const frames = await socket.frameCount(2)
  expect(frames[1]).toMatch(/^event: dish\nid: \d+\ndata: live over websocket\n\n$/)
  socket.ws.close()
  return 101
}

/** A `text/plain` POST through nginx, as a page's `fetch` sends it: its status. */
async function post({ port }: Setup, origin: string): Promise<number> {
  const init = { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: `from ${origin}`, tls: true }
  return (await fetchText(port, '/stream', init)).status
}

describe('nginx 1.22 in front of pushwire/server, with the lines of docs/security.md (nginx on another port)', () => {
  it('finds the two nginx blocks and the warned-against line in the doc', () => {
    expect(SITE).toContain('proxy_set_header Host $http_host;')
    expect(FORWARDED).toContain('proxy_set_header X-Forwarded-Host $http_host;')
    expect(SECURITY_MD).toContain(`\`${WARNED}\``)
  })

  describe.each([false, true])('Host $http_host, trustProxy: %s', (trustProxy) => {
    let nginx: Setup
    beforeAll(async () => {
      nginx = await setup({ trustProxy, maxClientBufferBytes: 256 * 1024 })
    })

    it('accepts a same-origin WebSocket, whose events stream live', async () => {
      expect(await upgrade(nginx, nginx.own)).toBe(101)
    })

    it('accepts a same-origin POST into onMessage', async () => {
      expect(await post(nginx, nginx.own)).toBe(204)
      expect(nginx.received).toEqual([`from ${nginx.own}`])
    })

    it('streams SSE: an event published after the open arrives while the stream stays open', async () => {
      const stream = await openStream(nginx.port, '/stream', { accept: 'text/event-stream', origin: nginx.own }, true)
      expect(stream.status).toBe(200)
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
      let open = true
      void stream.ended.then(() => (open = false))
      await stream.until((text) => text.indexOf(':ok\n\n') !== -1, 'the opening comment')
      await nginx.push.publish({ event: 'dish', data: 'live over sse' })
      await stream.until((text) => text.indexOf('data: live over sse\n\n') !== -1, 'the live event')
      expect(open).toBe(true)
      stream.close()
    })

    it('sends a held long-poll’s headers at once, and its answer when an event is published', async () => {
      const cursor = await fetchText(nginx.port, '/stream?transport=long-poll', { headers: { origin: nginx.own }, tls: true })
      const head = /id: (\S+)/.exec(cursor.body)![1]
      // With nginx's buffering on, the headers would wait for the answer.
      const held = await within(openStream(nginx.port, `/stream?transport=long-poll&lastEventId=${head}`, { origin: nginx.own }, true), 'the held poll’s headers')
      await nginx.push.publish({ data: 'live over long-poll' })
      await held.ended
      expect(held.text).toMatch(/^id: \S+\ndata: live over long-poll\n\n$/)
    })

    it('cuts a client that stops reading at maxClientBufferBytes: nginx does not read ahead for it', async () => {
      const stuck = connect({ host: '127.0.0.1', port: nginx.port, rejectUnauthorized: false }, () => {
        stuck.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1:${nginx.port}\r\nAccept: text/event-stream\r\n\r\n`)
        stuck.pause()
      })
      await waitFor(() => nginx.push.clientCount === 1, 'the stuck client connected')
      // Enough for the socket buffers on both sides of nginx several times over, far less
      // than the 1 GiB nginx would spool to temp files for it with its buffering on.
      const payload = 'x'.repeat(16 * 1024)
      let published = 0
      while (nginx.push.clientCount === 1) {
        if (published === 4000) throw new Error(`still connected after ${published} events of 16 KiB`)
        void nginx.push.publish({ data: payload })
        published++
        await new Promise((resolve) => setImmediate(resolve))
      }
      expect(nginx.push.clientCount).toBe(0)
      stuck.destroy()
    })

    it(`refuses a foreign origin${trustProxy ? ', and the http:// page of the same host (X-Forwarded-Proto: https),' : ''} on WebSocket and POST with 403`, async () => {
      const before = nginx.received.length
      const refused = trustProxy ? [FOREIGN, nginx.own.replace('https:', 'http:')] : [FOREIGN]
      for (const origin of refused) {
        expect(await upgrade(nginx, origin), origin).toBe(403)
        expect(await post(nginx, origin), origin).toBe(403)
      }
      expect(nginx.received).toHaveLength(before)
    })
  })

  it(`with the warned-against \`${WARNED}\`, refuses the page's own WebSocket and POST with 403`, async () => {
    const nginx = await setup({}, (text) => replaceLine(text, 'proxy_set_header Host $http_host;', WARNED))
    expect(await upgrade(nginx, nginx.own)).toBe(403)
    expect(await post(nginx, nginx.own)).toBe(403)
    expect(nginx.received).toEqual([])
  })

  describe('Host left as nginx sets it, X-Forwarded-Host $http_host', () => {
    it('with trustProxy: true, accepts the page’s own WebSocket and POST, and refuses a foreign origin', async () => {
      const nginx = await setup({ trustProxy: true }, forwardedHost)
      expect(await upgrade(nginx, nginx.own)).toBe(101)
      expect(await post(nginx, nginx.own)).toBe(204)
      expect(await upgrade(nginx, FOREIGN)).toBe(403)
      expect(await post(nginx, FOREIGN)).toBe(403)
      expect(nginx.received).toEqual([`from ${nginx.own}`])
    })

    it('without trustProxy, refuses them: nginx did rewrite Host', async () => {
      const nginx = await setup({}, forwardedHost)
      expect(await upgrade(nginx, nginx.own)).toBe(403)
      expect(await post(nginx, nginx.own)).toBe(403)
    })

    it('with X-Forwarded-Host $host (no port), refuses them even with trustProxy', async () => {
      const withHost = (text: string): string => replaceLine(forwardedHost(text), 'X-Forwarded-Host $http_host;', 'X-Forwarded-Host $host;')
      const nginx = await setup({ trustProxy: true }, withHost)
      expect(await upgrade(nginx, nginx.own)).toBe(403)
      expect(await post(nginx, nginx.own)).toBe(403)
    })
  })

  it('keeps an idle stream open past proxy_read_timeout when heartbeatMs is shorter, and not otherwise', async () => {
    // proxy_read_timeout (60 s by default) scaled down to 1 s, heartbeats to 250 ms.
    const withTimeout = (text: string): string => replaceLine(text, 'proxy_http_version 1.1;', 'proxy_http_version 1.1;\n    proxy_read_timeout 1s;')
    const [beating, silent] = await Promise.all([setup({ heartbeatMs: 250 }, withTimeout), setup({ heartbeatMs: 60000 }, withTimeout)])
    const open = (nginx: Setup) => openStream(nginx.port, '/stream', { accept: 'text/event-stream', origin: nginx.own }, true)
    const [kept, cut] = await Promise.all([open(beating), open(silent)])
    await within(cut.ended, 'nginx to end the silent stream', 3000)
    expect(cut.text).toBe(':ok\n\n')
    // The heartbeating stream has now been open past the timeout by half of it again.
    await new Promise((resolve) => setTimeout(resolve, 500))
    await beating.push.publish({ data: 'after the timeout' })
    await kept.until((text) => text.indexOf('data: after the timeout\n\n') !== -1, 'an event after the timeout')
    kept.close()
  })
})
