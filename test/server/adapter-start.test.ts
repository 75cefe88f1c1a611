// Streams that arrive before the adapter has started (Redis unreachable, or accepting connections
// and never answering) wait for it before their first byte. They must neither outlive close()
// nor stay in memory once their client has given up.
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPushServer, redisStreamsAdapter, type PushServer } from '../../src/server/index'
import { waitFor, within } from '../helpers/wait'
import { openSocket, openStream, startServer, closeServers } from './helpers'

// A full collection on demand, to tell what is still referenced.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** A peer that accepts connections and never answers: node-redis never becomes ready on it. */
let silent: NetServer
let silentUrl: string
const peers: Socket[] = []

beforeAll(async () => {
  silent = createNetServer((socket) => {
    peers.push(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  silentUrl = `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`
})

afterEach(closeServers)

afterAll(async () => {
  peers.forEach((socket) => socket.destroy())
  await new Promise((resolve) => silent.close(resolve))
})

const waiting = () => redisStreamsAdapter({ url: silentUrl })

describe('before the adapter has started', () => {
  it('close() ends every stream still waiting for it: SSE ends, a long-poll is answered, a WebSocket closes with 1001', async () => {
    const { port, push } = await startServer({ adapter: waiting() }, true)
    const sse = await openStream(port, '/stream')
    const poll = await openStream(port, '/stream?transport=long-poll', {})
    const socket = await openSocket(port, '/stream')
    expect(sse.status).toBe(200)
    await within(push.close(), 'close()')
    await within(sse.ended, 'the SSE response to end')
    expect(sse.text).toBe('')
    await within(poll.ended, 'the long-poll to be answered')
    expect(poll.text).toBe(':\n\n')
    expect(await within(socket.closed, 'the WebSocket to close')).toEqual({ code: 1001, reason: 'Server closing' })
  })

  it('forgets a stream whose client left while it waited (nothing keeps its request)', async () => {
    const push: PushServer = createPushServer({ adapter: waiting() })
    const requests: Array<WeakRef<object>> = []
    let closedResponses = 0
    const http = createServer((req, res) => {
      requests.push(new WeakRef(req), new WeakRef(res))
      res.on('close', () => closedResponses++)
      push.handler(req, res)
    })
    const upgrades: Array<WeakRef<object>> = []
    http.on('upgrade', (req, socket) => upgrades.push(new WeakRef(req), new WeakRef(socket)))
    push.attach(http)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const port = (http.address() as AddressInfo).port
    try {
      const sse = await openStream(port, '/stream')
      const poll = await openStream(port, '/stream?transport=long-poll', {})
      const socket = await openSocket(port, '/stream')
      sse.close()
      poll.close()
      socket.ws.terminate()
      await socket.closed
      await waitFor(() => closedResponses === 2, 'both HTTP responses closed')
      await waitFor(() => {
        collectGarbage()
        return requests.concat(upgrades).every((ref) => ref.deref() === undefined)
      }, 'the requests of clients that left to be collected')
    } finally {
      await push.close()
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    }
  })
})
