// Real loopback servers and raw-byte clients for the pushwire/server tests: node:http requests
// and the `ws` client, never the pushwire client.
import { createServer, get, request, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http'
import { get as getTls, request as requestTls } from 'node:https'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { createPushServer, type PushServer, type PushServerOptions } from '../../src/server/index'
import { within } from '../helpers/wait'

export interface TestServer {
  push: PushServer
  http: Server
  port: number
  close(): Promise<void>
}

const servers = new Set<TestServer>()

/** Starts a push server on 127.0.0.1, port 0, answering every path; `attach` adds WebSockets. */
export async function startServer(options: PushServerOptions = {}, attach = false): Promise<TestServer> {
  const push = createPushServer(options)
  const http = createServer(push.handler)
  if (attach) push.attach(http)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const server: TestServer = {
    push,
    http,
    port: (http.address() as AddressInfo).port,
    async close() {
      servers.delete(server)
      await push.close()
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    },
  }
  servers.add(server)
  return server
}

/** Closes every server a test started and left open (for afterEach). */
export async function closeServers(): Promise<void> {
  await Promise.all(Array.from(servers, (server) => server.close()))
}

/** A streaming response read as text, chunk by chunk. */
export interface RawStream {
  status: number
  headers: IncomingHttpHeaders
  /** Everything received so far. */
  readonly text: string
  /** Each `data` chunk as it arrived. */
  readonly chunks: string[]
  /** Resolves once the received text satisfies `predicate` (rejects if the stream ends first, or after `timeoutMs`). */
  until(predicate: (text: string) => boolean, what: string, timeoutMs?: number): Promise<string>
  /** Resolves when the response has ended or the connection closed. */
  ended: Promise<void>
  close(): void
}

/** Opens a GET (over TLS with `tls`, any certificate accepted) and resolves with the response headers; the body keeps streaming into `text`. */
export function openStream(port: number, path: string, headers: OutgoingHttpHeaders = { accept: 'text/event-stream' }, tls = false): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = (tls ? getTls : get)({ host: '127.0.0.1', port, path, headers, agent: false, rejectUnauthorized: false }, (res) => {
      let text = ''
      const chunks: string[] = []
      const waiters: Array<{ predicate: (text: string) => boolean; resolve(text: string): void; reject(error: Error): void; what: string }> = []
      let done = false
      const check = (): void => {
        for (let i = waiters.length - 1; i >= 0; i--) {
          const waiter = waiters[i]
          if (waiter.predicate(text)) waiter.resolve(text)
          else if (done) waiter.reject(new Error(`stream ended before ${waiter.what}; got ${JSON.stringify(text)}`))
          else continue
          waiters.splice(i, 1)
        }
      }
      const ended = new Promise<void>((resolveEnd) => {
        const finish = (): void => {
          done = true
          check()
          resolveEnd()
        }
        res.on('end', finish)
        res.on('close', finish)
        res.on('error', finish)
      })
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        chunks.push(chunk)
        text += chunk
        check()
      })
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        get text() {
          return text
        },
        chunks,
        until(predicate, what, timeoutMs) {
          const found = new Promise<string>((resolveWait, rejectWait) => {
            waiters.push({ predicate, resolve: resolveWait, reject: rejectWait, what })
            check()
          })
          return within(found, what, timeoutMs)
        },
        ended,
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
  })
}

/** A complete HTTP exchange. */
export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** Sends one request (over TLS with `tls`, any certificate accepted) and reads the whole response. */
export function fetchText(
  port: number,
  path: string,
  init: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer; tls?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent: false, rejectUnauthorized: false }
    const req = (init.tls ? requestTls : request)(options, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** A WebSocket client that records every text frame. */
export interface RawSocket {
  ws: WebSocket
  readonly frames: string[]
  /** Resolves once at least `count` frames have arrived. */
  frameCount(count: number): Promise<string[]>
  closed: Promise<{ code: number; reason: string }>
}

/** Connects a `ws` client (`wss:` with `tls`, any certificate accepted); rejects with the HTTP status when the upgrade is refused. */
export function openSocket(port: number, path: string, headers: Record<string, string> = {}, tls = false): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://127.0.0.1:${port}${path}`, { headers, rejectUnauthorized: false })
    const frames: string[] = []
    const waiters: Array<{ count: number; resolve(frames: string[]): void }> = []
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) => {
      ws.on('close', (code, reason) => resolveClose({ code, reason: reason.toString() }))
    })
    ws.on('message', (data) => {
      frames.push(String(data))
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (frames.length >= waiters[i].count) waiters.splice(i, 1)[0].resolve(frames)
      }
    })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })))
    })
    ws.on('error', reject)
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        frameCount(count) {
          if (frames.length >= count) return Promise.resolve(frames)
          return within(new Promise((resolveWait) => waiters.push({ count, resolve: resolveWait })), `${count} frames`)
        },
        closed,
      }),
    )
  })
}

/** The events in an SSE text, as `{ event, id, data }` (comments and `retry:` skipped). */
export function parseEvents(text: string): Array<{ event?: string; id?: string; data: string }> {
  const events: Array<{ event?: string; id?: string; data: string }> = []
  text.split('\n\n').forEach((block) => {
    const fields: { event?: string; id?: string; data?: string } = {}
    block.split('\n').forEach((line) => {
      const colon = line.indexOf(':')
      if (colon === 0 || line === '') return
      const name = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (name === 'data') fields.data = fields.data === undefined ? value : fields.data + '\n' + value
      else if (name === 'event' || name === 'id') fields[name] = value
    })
    if (fields.data !== undefined) events.push({ ...fields, data: fields.data })
  })
  return events
}
