import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import { deferred } from './wait'

/**
 * One HTTP request the server received, answered by the test step by step (nothing is sent
 * until the test says so).
 */
export interface TestRequest {
  method: string
  /** Path without the query, e.g. `/stream`. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Sends `200` with `Content-Type: text/event-stream` (plus `headers`) and flushes the head. */
  stream(headers?: Record<string, string>): TestRequest
  /** Sends the status line and headers and flushes them; the body stays open for `write()`. */
  head(status: number, headers?: Record<string, string>): TestRequest
  /** Sends a complete response. */
  respond(status: number, headers?: Record<string, string>, body?: string): void
  /** Writes one body chunk; resolves once it was handed to the socket. */
  write(chunk: string | Uint8Array): Promise<void>
  /** Ends the body, after an optional last chunk. */
  end(chunk?: string | Uint8Array): Promise<void>
  /** Cuts the connection (a network fault, as the client sees it). */
  destroy(): void
  /** Resolves when the response finished or its connection closed. */
  closed: Promise<void>
  /** Whether the connection closed before the response finished (the client went away). */
  readonly aborted: boolean
}

/** One accepted WebSocket connection. */
export interface TestSocket {
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Text frames the client sent, in order. */
  received: string[]
  /** Sends one frame (a string is a text frame, bytes a binary one). */
  send(data: string | Uint8Array): Promise<void>
  close(code?: number, reason?: string): void
  /** Drops the TCP connection without a close frame. */
  terminate(): void
  /** Resolves with the close code and reason once the socket closed, whoever closed it. */
  closed: Promise<{ code: number; reason: string }>
}

/** A loopback server on 127.0.0.1 and a free port, scripted by the test. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** `origin + path` */
  url(path?: string): string
  /** `ws://127.0.0.1:<port>` + path */
  wsUrl(path?: string): string
  /** Every HTTP request so far, in arrival order. */
  requests: TestRequest[]
  /** Every WebSocket connection so far, in arrival order. */
  sockets: TestSocket[]
  /** The next request not yet taken by an earlier call (waits for it to arrive). */
  nextRequest(): Promise<TestRequest>
  /** The next WebSocket connection not yet taken by an earlier call. */
  nextSocket(): Promise<TestSocket>
  /** Drops every connection and stops listening. */
  close(): Promise<void>
}

/** Hands out items in arrival order to callers that may come before or after them. */
function createQueue<T>(): { push(item: T): void; next(): Promise<T> } {
  const items: T[] = []
  const takers: Array<(item: T) => void> = []
  return {
    push(item) {
      const taker = takers.shift()
      if (taker) taker(item)
      else items.push(item)
    },
    next() {
      if (items.length) return Promise.resolve(items.shift() as T)
      return new Promise((resolve) => takers.push(resolve))
    },
  }
}

function splitUrl(raw: string | undefined): { path: string; query: URLSearchParams } {
  const url = new URL(raw || '/', 'http://127.0.0.1')
  return { path: url.pathname, query: url.searchParams }
}

function writeAsync(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())))
}

function createTestRequest(req: IncomingMessage, res: ServerResponse): TestRequest {
  const closed = deferred()
  let aborted = false
  res.on('close', () => {
    aborted = !res.writableFinished
    closed.resolve()
  })
  const { path, query } = splitUrl(req.url)
  const request: TestRequest = {
    method: req.method || 'GET',
    path,
    query,
    headers: req.headers,
    stream(headers = {}) {
      return request.head(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...headers })
    },
    head(status, headers = {}) {
      res.writeHead(status, headers)
      res.flushHeaders()
      return request
    },
    respond(status, headers = {}, body = '') {
      res.writeHead(status, headers)
      res.end(body)
    },
    write: (chunk) => writeAsync(res, chunk),
    end(chunk) {
      return new Promise((resolve) => res.end(chunk === undefined ? '' : chunk, () => resolve()))
    },
    destroy() {
      req.socket.destroy()
    },
    closed: closed.promise,
    get aborted() {
      return aborted
    },
  }
  return request
}

function createTestSocket(socket: ServerSocket, req: IncomingMessage): TestSocket {
  const closed = deferred<{ code: number; reason: string }>()
  const received: string[] = []
  socket.on('message', (data, isBinary) => {
    if (!isBinary) received.push(data.toString())
  })
  socket.on('close', (code, reason) => closed.resolve({ code, reason: reason.toString() }))
  socket.on('error', () => {})
  const { path, query } = splitUrl(req.url)
  return {
    path,
    query,
    headers: req.headers,
    received,
    send(data) {
      return new Promise((resolve, reject) => socket.send(data, (error) => (error ? reject(error) : resolve())))
    },
    close: (code, reason) => socket.close(code, reason),
    terminate: () => socket.terminate(),
    closed: closed.promise,
  }
}

/**
 * Starts a {@link TestServer}. Every request and WebSocket connection waits for the test:
 * take them with `nextRequest()` / `nextSocket()` and answer by hand.
 *
 * @example
 * const server = await createTestServer()
 * const request = await server.nextRequest()
 * request.stream()
 * await request.write('data: hello\n\n')
 */
export async function createTestServer(): Promise<TestServer> {
  const requests: TestRequest[] = []
  const sockets: TestSocket[] = []
  const requestQueue = createQueue<TestRequest>()
  const socketQueue = createQueue<TestSocket>()
  const wss = new WebSocketServer({ noServer: true })
  const server = createServer((req, res) => {
    const request = createTestRequest(req, res)
    requests.push(request)
    requestQueue.push(request)
  })
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const testSocket = createTestSocket(ws, req)
      sockets.push(testSocket)
      socketQueue.push(testSocket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    url: (path = '/stream') => origin + path,
    wsUrl: (path = '/stream') => `ws://127.0.0.1:${port}${path}`,
    requests,
    sockets,
    nextRequest: requestQueue.next,
    nextSocket: socketQueue.next,
    close() {
      wss.clients.forEach((client) => client.terminate())
      wss.close()
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
