import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createViteServer, type ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createPushClient, type PushMessage, type TransportName } from '../../src/index'
import { createPushServer, type PushServer } from '../../src/server/index'
import { createEventSourceShim, waitFor } from '../helpers'

// The recipe of docs/server.md, "Behind a dev server", run for real: a page's client talks to
// Vite's dev server, whose proxy entry (with ws: true) forwards the stream and its WebSocket
// upgrade to pushwire/server on another port. An open needs the stream's first byte, so a
// proxy that held the stream back would fail these tests rather than pass them slowly. The
// proxy keeps the page's Host, so the server's origin check sees the page's own origin.

let push: PushServer
let http: Server
let vite: ViteDevServer
let root: string
let streamUrl: string
const sent: string[] = []

beforeAll(async () => {
  push = createPushServer({ path: '/stream', onMessage: (data) => void sent.push(data) })
  http = createServer(push.handler)
  push.attach(http)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const target = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  root = mkdtempSync(join(tmpdir(), 'pushwire-vite-'))
  vite = await createViteServer({
    configFile: false,
    root,
    logLevel: 'silent',
    appType: 'custom',
    optimizeDeps: { noDiscovery: true },
    // As in the docs' vite.config.ts, on a free port.
    server: { host: '127.0.0.1', port: 0, watch: null, proxy: { '/stream': { target, ws: true } } },
  })
  await vite.listen()
  streamUrl = `http://127.0.0.1:${(vite.httpServer?.address() as AddressInfo).port}/stream`
}, 30_000)

afterAll(async () => {
  await vite?.close()
  await push?.close()
  await new Promise((resolve) => http?.close(resolve))
  rmSync(root, { recursive: true, force: true })
})

const TRANSPORTS: TransportName[] = ['fetch-sse', 'eventsource', 'websocket', 'long-poll']

/** The `ws` client, sending the `Origin` a browser on the dev server's page sends. */
class PageWebSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { origin: new URL(streamUrl).origin })
  }
}

describe("the dev-server recipe: Vite's proxy with ws: true", () => {
  it.each(TRANSPORTS)('carries %s and send() to pushwire/server and back, live', async (transport) => {
    const client = createPushClient({
      url: streamUrl,
      transports: [transport],
      decode: 'json',
      WebSocket: PageWebSocket,
      EventSource: createEventSourceShim().EventSource,
    })
    const received: PushMessage[] = []
    client.on('dish', (message) => received.push(message))
    try {
      await waitFor(() => client.state === 'open', `${transport} to open through the proxy`)
      push.publish({ event: 'dish', data: { name: 'pho', sales: 1 } })
      await waitFor(() => received.length === 1, 'the event through the proxy')
      expect(received[0]).toMatchObject({ type: 'dish', data: { name: 'pho', sales: 1 }, transport })
      await client.send(`hi over ${transport}`)
      await waitFor(() => sent.includes(`hi over ${transport}`), 'send() through the proxy')
    } finally {
      client.close()
    }
  })
})
