// Test harness shared by the React, Vue and Svelte wrapper tests: a real pushwire server on
// 127.0.0.1 and client options that reach it from any test environment.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket as WsWebSocket } from 'ws'
import { createPushServer, type PushServer, type PushServerOptions } from '../../src/server/index'
import type { PushClientOptions } from '../../src/index'

/** Declared events of the dish dashboard, as a user would declare them. */
export type DishEvents = {
  dish: { name: string; sales: number }
}

export interface TestPushServer {
  push: PushServer
  /** Stream URL; `?room=<name>` makes a different URL on the same server. */
  url(room?: string): string
  /** Options for a client of this server, over the `ws` package's WebSocket. */
  options(room?: string): PushClientOptions
  /** WebSockets constructed by clients of this server: how many connections they opened. */
  readonly sockets: number
  /** URLs of the WebSocket upgrades the server received, in order. */
  readonly upgradeUrls: readonly string[]
  close(): Promise<void>
}

/**
 * Starts `pushwire/server` on 127.0.0.1 (port 0). Clients use the `ws` WebSocket because the
 * DOM environments' own fetch/WebSocket apply browser origin rules that a test server lacks.
 */
export async function startPushServer(options: PushServerOptions = {}): Promise<TestPushServer> {
  const push = createPushServer({ heartbeatMs: 60_000, ...options })
  const http: Server = createServer(push.handler)
  push.attach(http)
  const upgradeUrls: string[] = []
  http.on('upgrade', (req) => upgradeUrls.push(req.url || ''))
  let sockets = 0
  class CountingWebSocket extends WsWebSocket {
    constructor(...args: ConstructorParameters<typeof WsWebSocket>) {
      super(...args)
      sockets++
    }
  }
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  const url = (room?: string) => `http://127.0.0.1:${port}/stream${room ? `?room=${room}` : ''}`
  return {
    push,
    url,
    options: (room) => ({
      url: url(room),
      transports: ['websocket'],
      decode: 'json',
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
      WebSocket: CountingWebSocket as unknown as typeof WebSocket,
    }),
    get sockets() {
      return sockets
    },
    upgradeUrls,
    async close() {
      await push.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

/** Lets pending promise callbacks and timers of 0 ms run (a client opens after a microtask). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
