import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer, Server, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, extname, join, normalize, sep } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { PushServer, PushServerOptions } from '../../src/server'

const ROOT = join(__dirname, '..', '..')
const DIST = join(ROOT, 'dist')
const requireFromHere = createRequire(__filename)
// The ESM build keeps its one runtime dependency external, as on npm; pages map it by import map.
const PARSER_DIST = dirname(requireFromHere.resolve('eventsource-parser'))
/** Path of the push stream (SSE, long-poll and WebSocket) on the fixture's origin. */
export const STREAM_PATH = '/stream'

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
}

/** Which build a test page loads, the way users load it. */
export type Bundle = 'umd' | 'esm' | 'legacy'

/** A test page: one build, loaded after the named globals were removed. */
export interface PageSpec {
  bundle: Bundle
  /**
   * The script that drives the page: `harness.js` (the default, read through the DOM), or
   * `share-harness.js` (for many tabs and thousands of events; read with `page.evaluate`).
   */
  harness?: 'share'
  /**
   * Globals deleted before the bundle loads (`'fetch'`, `'WebSocket'`…); `'Array.from'` and
   * `'String.prototype.includes'` style paths delete a member of a global.
   */
  remove?: readonly string[]
}

/** How the fixture answers a stream connection instead of the push server. */
export type Misbehaviour =
  /** HTTP 204: the server says "stop for good". */
  | 'no-content'
  /** An event stream that sends `:ok` and one heartbeat event, then nothing, never ending. */
  | 'stall'
  /** A WebSocket upgrade answered with HTTP 403, as a proxy that blocks WebSockets does. */
  | 'refuse-upgrade'
  /**
   * The push server's answer held back until it ends, as a buffering proxy does: headers at
   * once, then nothing on an endless stream, while a long-poll answer arrives whole.
   */
  | 'buffer'

/** One connection to the stream path, as the fixture saw it. */
export interface StreamRequestLog {
  method: string
  /** Path and query. */
  url: string
  /** `'websocket'` for upgrades, else the `transport` query parameter or `'fetch-sse'` for a bare GET. */
  transport: string
  headers: IncomingMessage['headers']
  /** What answered it. */
  answeredBy: 'push' | Misbehaviour
  /** Whether the connection has ended (either side closed it). */
  ended: boolean
}

/** The fixture server: built files, test pages and a push server on one 127.0.0.1 origin. */
export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** The push server of the current test (see {@link FixtureServer.resetPush}). */
  readonly push: PushServer
  /** Every stream connection since the last reset, oldest first. */
  readonly requests: readonly StreamRequestLog[]
  /** URL of a page that loads `spec.bundle` after removing `spec.remove`. */
  pageUrl(spec: PageSpec): string
  /**
   * Answers the next `times` stream connections of `kind` with `behaviour` instead of the push
   * server (HTTP GETs for `'http'`, upgrades for `'websocket'`).
   */
  misbehave(behaviour: Misbehaviour, kind: 'http' | 'websocket' | 'any', times?: number): void
  /** Answers every HTTP request to the stream path (GET or POST) with a 307 to `location`. */
  redirectTo(location: string): void
  /** Whether stream connections are open right now (push server clients and stalled ones). */
  openConnections(): number
  /** The most stream connections (long-polls included) that were open at once since the last reset. */
  peakConnections(): number
  /** Replaces the push server with a fresh one (ids start at "1"), clears rules and the log. */
  resetPush(options?: PushServerOptions): Promise<void>
  /**
   * Goes down as a restarting server does: every connection is cut and new ones are refused
   * (`ECONNREFUSED`) until {@link FixtureServer.comeBack}.
   */
  goDown(): void
  /** Listens again on the same port. */
  comeBack(): Promise<void>
  close(): Promise<void>
}

interface Rule {
  behaviour: Misbehaviour
  kind: 'http' | 'websocket' | 'any'
  remaining: number
}

type ServerModule = typeof import('../../src/server')

// Loaded as `require('pushwire/server')` would load it: the page and the server are tested as shipped.
function loadBuiltServer(): ServerModule {
  const path = join(DIST, 'server.js')
  try {
    return requireFromHere(path) as ServerModule
  } catch (cause) {
    throw new Error(`The browser suite tests the built package: run \`npm run build\` first (${path})`, { cause })
  }
}

// Runs before the bundle so that it sees the browser the test wants, as an old one would be.
function removalScript(paths: readonly string[]): string {
  if (!paths.length) return ''
  return (
    '<script>(function (paths) {' +
    'for (var i = 0; i < paths.length; i++) {' +
    "  var parts = paths[i].split('.'), owner = window;" +
    '  for (var j = 0; j < parts.length - 1; j++) owner = owner[parts[j]];' +
    '  var key = parts[parts.length - 1];' +
    '  try { delete owner[key] } catch (e) {}' +
    '  if (key in owner) owner[key] = undefined;' +
    '}' +
    `})(${JSON.stringify(paths)})</script>`
  )
}

function bundleScript(bundle: Bundle): string {
  if (bundle === 'umd') return '<script src="/dist/pushwire.umd.js"></script>'
  if (bundle === 'legacy') return '<script src="/dist/pushwire.legacy.umd.js"></script>'
  const importMap = { imports: { 'eventsource-parser': '/parser/index.js' } }
  return (
    `<script type="importmap">${JSON.stringify(importMap)}</script>` +
    "<script type=\"module\">import * as Pushwire from '/dist/index.mjs'; window.Pushwire = Pushwire</script>"
  )
}

function pageHtml(spec: PageSpec): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>pushwire browser test</title>' +
    // No favicon request: it would show up in the network log and as a 404 console error.
    '<link rel="icon" href="data:,">' +
    removalScript(spec.remove || []) +
    `<script src="/${spec.harness === 'share' ? 'share-harness' : 'harness'}.js"></script>` +
    bundleScript(spec.bundle) +
    '</head><body></body></html>'
  )
}

function transportOf(req: IncomingMessage): string {
  const query = new URL(req.url || '/', 'http://localhost').searchParams.get('transport')
  return query || 'fetch-sse'
}

/** Keeps everything written to `res` until it ends, then sends it in one piece. */
function holdBody(res: ServerResponse): void {
  const held: Buffer[] = []
  const end = res.end.bind(res)
  res.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    held.push(Buffer.from(chunk))
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
    if (callback) process.nextTick(callback)
    return true
  }) as ServerResponse['write']
  res.end = ((...args: unknown[]) => {
    const last = args.find((arg) => typeof arg === 'string' || arg instanceof Uint8Array) as string | Uint8Array | undefined
    if (last !== undefined) held.push(Buffer.from(last))
    return end(Buffer.concat(held))
  }) as ServerResponse['end']
}

// The start of a stream that then goes silent: enough to count as opened on every transport.
const STALL_PREFIX = ':ok\n\nevent: pushwire:heartbeat\ndata\n\n'

/** Starts the fixture on 127.0.0.1 on a free port. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const { createPushServer } = loadBuiltServer()
  const harnesses: Record<string, string> = {
    '/harness.js': await readFile(join(__dirname, 'harness.js'), 'utf8'),
    '/share-harness.js': await readFile(join(__dirname, 'share-harness.js'), 'utf8'),
  }
  // The push server's own upgrade listener lives on this never-listening server, so the
  // fixture decides first which upgrades reach it.
  const upgrades = new Server()
  const stalledSockets = new Set<WebSocket>()
  const stalledResponses = new Set<ServerResponse>()
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  function freshPush(options?: PushServerOptions): PushServer {
    const created = createPushServer({ ...options, path: STREAM_PATH })
    created.attach(upgrades)
    return created
  }
  let push = freshPush()
  let rules: Rule[] = []
  let requests: StreamRequestLog[] = []
  let open = 0
  let peak = 0
  let redirectLocation: string | undefined

  function takeRule(kind: 'http' | 'websocket'): Misbehaviour | undefined {
    const rule = rules.find((candidate) => candidate.remaining > 0 && (candidate.kind === kind || candidate.kind === 'any'))
    if (!rule) return undefined
    rule.remaining--
    return rule.behaviour
  }

  function log(req: IncomingMessage, transport: string, answeredBy: StreamRequestLog['answeredBy'], connection: Duplex | ServerResponse): void {
    const entry: StreamRequestLog = { method: req.method || '', url: req.url || '', transport, headers: req.headers, answeredBy, ended: false }
    requests.push(entry)
    peak = Math.max(peak, ++open)
    const counted = requests
    connection.once('close', () => {
      entry.ended = true
      // Connections from before the last reset are not counted any more.
      if (counted === requests) open--
    })
  }

  function serveStream(req: IncomingMessage, res: ServerResponse): void {
    if (redirectLocation) return void res.writeHead(307, { Location: redirectLocation, 'Content-Length': 0 }).end()
    const behaviour = req.method === 'GET' ? takeRule('http') : undefined
    if (req.method === 'GET') log(req, transportOf(req), behaviour || 'push', res)
    if (behaviour === 'no-content') return void res.writeHead(204).end()
    if (behaviour === 'stall') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
      res.write(STALL_PREFIX)
      stalledResponses.add(res)
      res.once('close', () => stalledResponses.delete(res))
      return
    }
    if (behaviour === 'buffer') holdBody(res)
    push.handler(req, res)
  }

  async function serveFile(res: ServerResponse, base: string, relative: string): Promise<void> {
    const path = normalize(join(base, relative))
    if (path !== base && !path.startsWith(base + sep)) return void res.writeHead(403).end()
    try {
      const body = await readFile(path)
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] || 'application/octet-stream', 'Cache-Control': 'no-store' })
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://localhost')
    if (url.pathname === STREAM_PATH) return serveStream(req, res)
    if (url.pathname === '/page.html') {
      const spec: PageSpec = {
        bundle: (url.searchParams.get('bundle') || 'umd') as Bundle,
        harness: url.searchParams.get('harness') === 'share' ? 'share' : undefined,
        remove: url.searchParams.getAll('remove'),
      }
      return void res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.html'], 'Cache-Control': 'no-store' }).end(pageHtml(spec))
    }
    if (harnesses[url.pathname] !== undefined) {
      return void res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.js'], 'Cache-Control': 'no-store' }).end(harnesses[url.pathname])
    }
    if (url.pathname.startsWith('/dist/')) return void serveFile(res, DIST, url.pathname.slice('/dist/'.length))
    if (url.pathname.startsWith('/parser/')) return void serveFile(res, PARSER_DIST, url.pathname.slice('/parser/'.length))
    res.writeHead(404).end()
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const behaviour = takeRule('websocket')
    log(req, 'websocket', behaviour || 'push', socket)
    if (behaviour === 'refuse-upgrade' || behaviour === 'no-content') {
      const status = behaviour === 'no-content' ? '204 No Content' : '403 Forbidden'
      return void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (behaviour === 'stall') {
      return wss.handleUpgrade(req, socket, head, (ws) => {
        stalledSockets.add(ws)
        ws.once('close', () => stalledSockets.delete(ws))
        ws.send(STALL_PREFIX)
      })
    }
    upgrades.emit('upgrade', req, socket, head)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  function dropStalled(): void {
    stalledSockets.forEach((ws) => ws.terminate())
    stalledResponses.forEach((res) => res.destroy())
  }

  return {
    origin,
    get push() {
      return push
    },
    get requests() {
      return requests
    },
    pageUrl(spec) {
      const query = new URLSearchParams({ bundle: spec.bundle })
      if (spec.harness) query.set('harness', spec.harness)
      ;(spec.remove || []).forEach((name) => query.append('remove', name))
      return `${origin}/page.html?${query}`
    },
    misbehave(behaviour, kind, times = Infinity) {
      rules.push({ behaviour, kind, remaining: times })
    },
    redirectTo(location) {
      redirectLocation = location
    },
    openConnections() {
      return push.clientCount + stalledSockets.size + stalledResponses.size
    },
    peakConnections: () => peak,
    async resetPush(options) {
      dropStalled()
      await push.close()
      push = freshPush(options)
      rules = []
      requests = []
      open = peak = 0
      redirectLocation = undefined
    },
    goDown() {
      dropStalled()
      push.disconnectAll()
      server.close()
      server.closeAllConnections()
    },
    comeBack: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    async close() {
      dropStalled()
      wss.close()
      await push.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
