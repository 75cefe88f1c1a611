import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPushClient, type PushClient, type PushClientOptions, type PushStatus } from '../../src/index'

// Servers that try to drive the client into a hot loop, on loopback, with the default retry
// options. Requests are counted on the server over a wall-clock window. The floor (250 ms,
// growing with consecutive failures) allows a handful in this window; without it the client
// made hundreds (issue 14: 1,399 reconnects in 3 s after `retry: 0`; ~90 polls a second).

const WINDOW_MS = 2000

let server: Server | undefined
let client: PushClient | undefined

afterEach(async () => {
  client?.close()
  client = undefined
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** Runs `answer` for every request on a loopback server; resolves with its URL and the request count. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; count(): number }> {
  let requests = 0
  server = createServer((req, res) => {
    requests++
    answer(req, res)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`, count: () => requests }
}

/** Connects with default retry options for {@link WINDOW_MS}, then closes; resolves with the statuses seen. */
async function runFor(url: string, options: Partial<PushClientOptions>): Promise<PushStatus[]> {
  const statuses: PushStatus[] = []
  client = createPushClient({ url, ...options })
  client.onStatus((status) => statuses.push(status))
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS))
  client.close()
  return statuses
}

describe('no server can drive a hot loop', () => {
  it('`retry: 0` and a stream closed at once: a few reconnects, not hundreds', async () => {
    const { url, count } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      res.end('retry: 0\n\n:ok\n\n')
    })
    const statuses = await runFor(url, { transports: ['fetch-sse'] })
    // Attempts at about 0, 0.25, 0.5-0.75, 1-1.75 s: 4 or 5.
    expect(count()).toBeGreaterThanOrEqual(2)
    expect(count()).toBeLessThanOrEqual(10)
    expect(statuses.filter((status) => status.state === 'reconnecting').every((status) => status.delayMs! >= 250)).toBe(true)
  })

  it('an app that set `initialDelayMs: 0`, and a stream that opens and ends at once: each wait longer than the last', async () => {
    const { url } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      res.end(':ok\n\n')
    })
    const statuses = await runFor(url, { transports: ['fetch-sse'], retry: { initialDelayMs: 0, jitter: 0 } })
    // Each connection opened: were that a stable one, every wait would be the 250 ms floor.
    expect(statuses.filter((status) => status.state === 'open').length).toBeGreaterThanOrEqual(3)
    const delays = statuses.filter((status) => status.state === 'reconnecting').map((status) => status.delayMs)
    expect(delays.slice(0, 3)).toEqual([250, 500, 1000])
  })

  it('503 with `Retry-After: 0`: a few retries, each wait longer than the last', async () => {
    const { url, count } = await serve((_, res) => {
      res.writeHead(503, { 'Retry-After': '0' })
      res.end()
    })
    const statuses = await runFor(url, { transports: ['fetch-sse'] })
    expect(count()).toBeGreaterThanOrEqual(2)
    expect(count()).toBeLessThanOrEqual(10)
    const delays = statuses.filter((status) => status.state === 'reconnecting').map((status) => status.delayMs)
    expect(delays.slice(0, 3)).toEqual([250, 500, 1000])
  })

  it('long-poll answered at once with empty bodies: the next poll starts 250 ms after the last at the soonest', async () => {
    const { url, count } = await serve((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' })
      res.end()
    })
    const statuses = await runFor(url, { transports: ['long-poll'] })
    // At most one poll per 250 ms: 9 in 2 s.
    expect(count()).toBeGreaterThanOrEqual(2)
    expect(count()).toBeLessThanOrEqual(12)
    // Empty answers are not failures: the connection stays open.
    expect(statuses.map((status) => status.state)).toEqual(['connecting', 'open', 'closed'])
  })
})
