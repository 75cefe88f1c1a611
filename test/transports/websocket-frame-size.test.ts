import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createPushClient, type PushClient, type PushStatus } from '../../src/index'
import { waitFor } from '../helpers'

const FRAME_BYTES = 50_000_000
const CHUNK = Buffer.alloc(64 * 1024, 'a')

/**
 * A WebSocket server written by hand, so that it can stream one 50 MB text frame from a single
 * 64 KiB buffer: its own memory stays flat, and what grows is the client's.
 */
function startHugeFrameServer(): Promise<{ server: Server; url: string; written: () => number }> {
  let written = 0
  const server = createServer()
  server.on('upgrade', (req, socket: Socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    const accept = createHash('sha1')
      .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
      .digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    // FIN + text opcode, then the 64-bit payload length: no mask from a server.
    const header = Buffer.alloc(10)
    header[0] = 0x81
    header[1] = 127
    header.writeBigUInt64BE(BigInt(FRAME_BYTES), 2)
    socket.write(header)
    const pump = (): void => {
      while (written < FRAME_BYTES && !socket.destroyed) {
        const piece = Math.min(CHUNK.length, FRAME_BYTES - written)
        written += piece
        if (!socket.write(piece === CHUNK.length ? CHUNK : CHUNK.subarray(0, piece))) return void socket.once('drain', pump)
      }
    }
    pump()
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ server, url: `http://127.0.0.1:${port}/stream`, written: () => written })
    }),
  )
}

let client: PushClient | undefined
let server: Server | undefined
// Upgraded sockets leave the server's books: they are destroyed by hand.
const sockets: Socket[] = []

afterEach(async () => {
  client?.close()
  sockets.splice(0).forEach((socket) => socket.destroy())
  await new Promise((resolve) => server?.close(resolve))
})

describe('websocket frame size in Node', () => {
  it('refuses a 50 MB frame at its header with maxMessageBytes 1 MiB: too-large, and memory stays bounded', async () => {
    const started = await startHugeFrameServer()
    server = started.server
    const statuses: PushStatus[] = []
    const baseline = process.memoryUsage().arrayBuffers
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2)
    try {
      client = createPushClient({
        url: started.url,
        transports: ['websocket'],
        WebSocket: NodeWebSocket,
        maxMessageBytes: 1 << 20,
        retry: false,
      })
      client.onStatus((status) => statuses.push(status))
      await waitFor(() => client?.state === 'closed', 'the client to give up')
    } finally {
      clearInterval(sampler)
    }
    expect(statuses.map((status) => status.error?.code).filter(Boolean)).toEqual(['too-large'])
    // The `ws` default (100 MiB) would hold the whole 50 MB frame before pushwire saw any of it.
    expect(peak - baseline).toBeLessThan(8_000_000)
    expect(started.written()).toBeLessThan(FRAME_BYTES)
  })
})
