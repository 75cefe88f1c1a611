import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { closeServers, openSocket, openStream, parseEvents, startServer, type TestServer } from './helpers'

afterEach(closeServers)

const EVENT_BYTES = 16 * 1024
const MAX_PUBLISHES = 5000

/** A client that sends its request and then never reads: a stuck tab. */
function stuckSseClient(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n')
      socket.pause()
      resolve(socket)
    })
  })
}

/** Publishes one event per event-loop turn until `done()`; returns how many it published. */
async function publishUntil(server: TestServer, done: () => boolean): Promise<number> {
  const payload = 'x'.repeat(EVENT_BYTES)
  let published = 0
  while (!done()) {
    if (published === MAX_PUBLISHES) throw new Error(`still connected after ${published} events`)
    server.push.publish({ data: payload })
    published++
    await new Promise((resolve) => setImmediate(resolve))
  }
  return published
}

describe('slow consumers', () => {
  it('cuts an SSE client whose unsent bytes pass maxClientBufferBytes, and keeps serving the others', async () => {
    const server = await startServer({ maxClientBufferBytes: 256 * 1024 })
    const healthy = await openStream(server.port, '/stream')
    const stuck = await stuckSseClient(server.port)
    await waitFor(() => server.push.clientCount === 2, 'both clients connected')
    const published = await publishUntil(server, () => server.push.clientCount < 2)
    expect(server.push.clientCount).toBe(1)
    const text = await healthy.until((t) => t.indexOf(`id: ${published}\n`) !== -1, 'every event')
    expect(parseEvents(text)).toHaveLength(published)
    stuck.destroy()

    // The cut client resumes where it left off.
    const resumed = await openStream(server.port, `/stream?lastEventId=${published - 1}`)
    const replay = await resumed.until((t) => t.indexOf(`id: ${published}\n`) !== -1, 'replay')
    expect(parseEvents(replay).map((e) => e.id)).toEqual([String(published)])
    healthy.close()
    resumed.close()
  })

  it('keeps publishing safe while close() waits for a stuck client to let go', async () => {
    const server = await startServer({ heartbeatMs: 50, maxClientBufferBytes: 64 * 1024 * 1024 })
    const stuck = await stuckSseClient(server.port)
    await waitFor(() => server.push.clientCount === 1, 'client connected')
    // More than the kernel's socket buffers hold, so the response cannot finish.
    const payload = 'x'.repeat(512 * 1024)
    for (let i = 0; i < 32; i++) {
      server.push.publish({ data: payload })
      await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
    const closed = server.push.close()
    // The stream is ended but not yet gone: neither an event nor a heartbeat may be written to it.
    server.push.publish({ data: 'after close' })
    await closed
    expect(server.push.clientCount).toBe(0)
    stuck.destroy()
  })

  it('cuts a WebSocket client whose bufferedAmount passes maxClientBufferBytes', async () => {
    const server = await startServer({ maxClientBufferBytes: 256 * 1024 }, true)
    const stuck = await openSocket(server.port, '/stream')
    await waitFor(() => server.push.clientCount === 1, 'socket connected')
    stuck.ws.pause()
    await publishUntil(server, () => server.push.clientCount === 0)
    stuck.ws.terminate()
    expect((await stuck.closed).code).toBe(1006)
  })
})
