import { describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { webSocketTransport } from '../../src/transports/websocket'
import { createRecordingSink, waitFor, type RecordingSink } from '../helpers'
import { transportRequest, useTransportHarness, type RequestOverrides } from './harness'
import { registerTransportTests } from './suite'

// The `ws` client stands in for the browser's WebSocket (the browser suite runs the real one).
const WebSocketImpl = NodeWebSocket as unknown as typeof WebSocket

const harness = useTransportHarness(webSocketTransport)
const open = (overrides?: RequestOverrides, url?: string) => harness.open({ WebSocket: WebSocketImpl }, overrides, url)
const close = harness.close

registerTransportTests(harness, {
  label: 'websocket',
  transport: webSocketTransport,
  env: () => ({ WebSocket: WebSocketImpl }),
  kind: 'websocket',
  resumeIn: 'query',
  sendsHeaders: false,
  seesStatus: false,
  ownReader: true,
  boundsSize: true,
  // Every text frame holds whole events.
  byteChunks: false,
  end: { is: 'failure', message: 'closed (code 1000, done)' },
})

async function openedSocket(recorded: RecordingSink) {
  const socket = await harness.server.nextSocket()
  await socket.send(':ok\n\n')
  await recorded.until((r) => r.opens === 1, 'open')
  return socket
}

describe('websocket transport', () => {
  it('opens at the first frame, not at the upgrade', async () => {
    const recorded = open()
    const socket = await harness.server.nextSocket()
    await waitFor(() => harness.connection.canSend?.(), 'the client side of the socket to open')
    expect(recorded.opens).toBe(0)
    await socket.send(':ok\n\n')
    await recorded.until((r) => r.opens === 1, 'open')
    expect(recorded.kinds()).toEqual(['open'])
    expect(recorded.activity).toBe(1)
  })

  it('connects to websocketUrl with the resume point in the query', async () => {
    open({ websocketUrl: harness.server.wsUrl('/ws?token=abc'), lastEventId: '42' })
    const socket = await harness.server.nextSocket()
    expect(socket.path).toBe('/ws')
    expect(socket.query.get('token')).toBe('abc')
    expect(socket.query.get('lastEventId')).toBe('42')
  })

  it('leaves the query alone without a resume point', async () => {
    open()
    expect([...(await harness.server.nextSocket()).query.keys()]).toEqual([])
  })

  it('sends text frames upstream and can send only while open', async () => {
    const recorded = open()
    expect(harness.connection.canSend?.()).toBe(false)
    const socket = await openedSocket(recorded)
    harness.connection.send?.('{"hello":1}')
    await waitFor(() => socket.received.length === 1, 'the frame to arrive')
    expect(socket.received).toEqual(['{"hello":1}'])
    close(recorded)
    expect(harness.connection.canSend?.()).toBe(false)
  })

  it('fails with protocol on a binary frame and closes the socket', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send(new Uint8Array([100, 97, 116, 97]))
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors.map((e) => e.code)).toEqual(['protocol'])
    await socket.closed
    expect(recorded.late).toEqual([])
  })

  it('fails once with network, naming any close code and reason, when the server closes', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    socket.close(4001, 'going away')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors).toHaveLength(1)
    expect(recorded.errors[0].code).toBe('network')
    expect(recorded.errors[0].message).toContain('code 4001, going away')
  })

  it('close() while still connecting leaves no unhandled error behind', async () => {
    // The `ws` client emits 'error' for a socket closed during its handshake; with no
    // listener left that would be an uncaught exception (and fail this run).
    const sockets: NodeWebSocket[] = []
    class TrackedWebSocket extends NodeWebSocket {
      constructor(url: string) {
        super(url)
        sockets.push(this)
      }
    }
    const recorded = createRecordingSink()
    const request = transportRequest(harness.server.url(), { WebSocket: TrackedWebSocket as unknown as typeof WebSocket })
    harness.openWith(request, recorded.sink)
    close(recorded)
    await new Promise((resolve) => sockets[0].once('close', resolve))
    expect(recorded.calls).toEqual([])
    expect(recorded.late).toEqual([])
  })

})
