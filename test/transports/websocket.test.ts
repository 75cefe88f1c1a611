import { describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { webSocketTransport } from '../../src/transports/websocket'
import { createRecordingSink, waitFor, type RecordingSink } from '../helpers'
import { closingOnFirstEvent, transportRequest, useTransportHarness, type RequestOverrides } from './harness'

// The `ws` client stands in for the browser's WebSocket (the browser suite runs the real one).
const WebSocketImpl = NodeWebSocket as unknown as typeof WebSocket

const harness = useTransportHarness(webSocketTransport)
const open = (overrides?: RequestOverrides, url?: string) => harness.open({ WebSocket: WebSocketImpl }, overrides, url)
const close = harness.close

async function openedSocket(recorded: RecordingSink) {
  const socket = await harness.server.nextSocket()
  await socket.send(':ok\n\n')
  await recorded.until((r) => r.opens === 1, 'open')
  return socket
}

describe('websocket transport', () => {
  it('is supported with a WebSocket implementation and no headers', () => {
    expect(webSocketTransport.isSupported({ env: { WebSocket: WebSocketImpl }, hasHeaders: false })).toBe(true)
    expect(webSocketTransport.isSupported({ env: { WebSocket: WebSocketImpl }, hasHeaders: true })).toBe(false)
    expect(webSocketTransport.isSupported({ env: {}, hasHeaders: false })).toBe(false)
  })

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

  it('reads SSE events from text frames in order, several per frame', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send('id: 1\nevent: dish\ndata: mapo\n\nretry: 1500\n\n')
    await socket.send('id: 2\ndata: a\ndata: b\n\ndata: no id\n\n')
    await recorded.until((r) => r.events.length === 3, 'three events')
    expect(recorded.kinds()).toEqual(['open', 'event', 'retry', 'event', 'event'])
    expect(recorded.events).toEqual([
      { type: 'dish', data: 'mapo', id: '1' },
      { type: 'message', data: 'a\nb', id: '2' },
      { type: 'message', data: 'no id', id: undefined },
    ])
    expect(recorded.calls).toContainEqual({ kind: 'retry', ms: 1500 })
  })

  it('connects to websocketUrl with the resume point in the query', async () => {
    open({ websocketUrl: harness.server.wsUrl('/ws?token=abc'), lastEventId: '42' })
    const socket = await harness.server.nextSocket()
    expect(socket.path).toBe('/ws')
    expect(socket.query.get('token')).toBe('abc')
    expect(socket.query.get('lastEventId')).toBe('42')
  })

  it('uses lastEventIdParam and leaves the query alone without a resume point', async () => {
    open({ lastEventIdParam: 'since', lastEventId: '7' })
    expect((await harness.server.nextSocket()).query.get('since')).toBe('7')
    harness.connection.close()
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

  it('fails once with network, naming the close code and reason, when the server closes', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    socket.close(4001, 'going away')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors).toHaveLength(1)
    expect(recorded.errors[0].code).toBe('network')
    expect(recorded.errors[0].message).toContain('code 4001, going away')
  })

  it('fails with network when the connection drops without a close frame', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    socket.terminate()
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors.map((e) => e.code)).toEqual(['network'])
  })

  it('fails once with network when the connection is refused', async () => {
    const url = harness.server.url()
    await harness.server.close()
    const recorded = open({}, url)
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['fail'])
    expect(recorded.errors[0].code).toBe('network')
    await harness.restartServer()
  })

  it('close() closes the socket and nothing is reported afterwards', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    close(recorded)
    harness.connection.close() // idempotent
    await socket.closed
    expect(recorded.late).toEqual([])
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

  it('stops at once when a listener closes it in the middle of a frame', async () => {
    const recorded = createRecordingSink()
    harness.openWith(transportRequest(harness.server.url(), { WebSocket: WebSocketImpl }), closingOnFirstEvent(harness, recorded))
    const socket = await harness.server.nextSocket()
    await socket.send('data: 1\n\ndata: 2\n\n')
    await socket.closed
    expect(recorded.events.map((e) => e.data)).toEqual(['1'])
    expect(recorded.late).toEqual([])
  })

  it('fails with too-large and closes the socket when an event passes maxMessageBytes', async () => {
    const recorded = open({ maxMessageBytes: 32 })
    const socket = await openedSocket(recorded)
    await socket.send(`data: ${'x'.repeat(40)}\n\n`)
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.errors.map((e) => e.code)).toEqual(['too-large'])
    await socket.closed
    expect(recorded.events).toEqual([])
  })
})
