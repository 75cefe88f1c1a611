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

  it('reads a binary frame as UTF-8 SSE text', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send(new TextEncoder().encode('id: 1\ndata: 麻婆豆腐\n\n'))
    await recorded.until((r) => r.events.length === 1, 'the event')
    expect(recorded.events).toEqual([{ type: 'message', data: '麻婆豆腐', id: '1' }])
  })

  it.each([
    ['JSON, no line end', '{"dish":"mapo"}'],
    ['JSON with a line end', '{"dish":"mapo"}\n'],
    ['a data line and no blank line', 'data: mapo\n'],
    ['a data line cut short', 'data: ma'],
    ['plain text', 'mapo tofu'],
    ['a lone CR line end', 'data: mapo\r'],
    ['one CRLF line end', 'data: mapo\r\n'],
  ])('drops a frame that is not whole SSE events (%s) with a protocol error naming the option, and reads the next frame afresh', async (_, frame) => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send(frame)
    await socket.send('data: next\n\n')
    await recorded.until((r) => r.events.length === 1, 'the next frame')
    expect(recorded.events).toEqual([{ type: 'message', data: 'next', id: undefined }])
    expect(recorded.dropped.map((error) => error.code)).toEqual(['protocol'])
    expect(recorded.dropped[0].message).toContain("websocketFormat: 'text'")
    expect(recorded.errors).toEqual([])
  })

  it('delivers the whole events of a frame before the one it leaves open', async () => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send('data: whole\n\ndata: open')
    await socket.send('data: next\n\n')
    await recorded.until((r) => r.events.length === 2, 'two events')
    expect(recorded.events.map((event) => event.data)).toEqual(['whole', 'next'])
    expect(recorded.dropped).toHaveLength(1)
  })

  it.each([
    ['CRLF line ends', 'data: a\r\n\r\n'],
    ['CR line ends', 'data: a\r\r'],
    ['a comment after the last event', 'data: a\n\n: keep-alive\n'],
    ['a retry after the last event, with its blank line', 'data: a\n\nretry: 900\n\n'],
  ])('takes a frame of whole events that ends with %s', async (_, frame) => {
    const recorded = open()
    const socket = await openedSocket(recorded)
    await socket.send(frame)
    await socket.send(': only a comment\n')
    await socket.send('data: b\n\n')
    await recorded.until((r) => r.events.length === 2, 'two events')
    expect(recorded.events.map((event) => event.data)).toEqual(['a', 'b'])
    expect(recorded.dropped).toEqual([])
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

  describe("websocketFormat 'text'", () => {
    it('opens at the upgrade, with no comments to time the connection by', async () => {
      const recorded = open({ websocketFormat: 'text' })
      await harness.server.nextSocket()
      await recorded.until((r) => r.opens === 1, 'open')
      expect(recorded.calls[0]).toEqual({ kind: 'open', seesComments: false })
    })

    it("makes each frame one 'message' event, binary frames read as UTF-8", async () => {
      const recorded = open({ websocketFormat: 'text' })
      const socket = await harness.server.nextSocket()
      await socket.send('{"dish":"mapo"}')
      await socket.send('data: not parsed\n\n')
      await socket.send(new TextEncoder().encode('宫保鸡丁'))
      await recorded.until((r) => r.events.length === 3, 'three events')
      expect(recorded.events).toEqual([
        { type: 'message', data: '{"dish":"mapo"}', id: undefined },
        { type: 'message', data: 'data: not parsed\n\n', id: undefined },
        { type: 'message', data: '宫保鸡丁', id: undefined },
      ])
    })

    it('fails with too-large on a frame over maxMessageBytes', async () => {
      const recorded = open({ websocketFormat: 'text', maxMessageBytes: 8 })
      const socket = await harness.server.nextSocket()
      await socket.send('123456789')
      await recorded.until((r) => r.errors.length > 0, 'fail')
      expect(recorded.errors.map((error) => error.code)).toEqual(['too-large'])
      await socket.closed
    })
  })

  describe('websocketFormat as a function', () => {
    const numbered = (frame: string) => {
      const { seq, kind, body } = JSON.parse(frame) as { seq: number; kind?: string; body: unknown }
      return kind === 'ping' ? null : { type: kind, data: body, id: String(seq) }
    }

    it('delivers what it returns, decoded already, with its id; null skips the frame', async () => {
      const recorded = open({ websocketFormat: numbered })
      const socket = await harness.server.nextSocket()
      await socket.send('{"seq":1,"kind":"dish","body":{"name":"mapo"}}')
      await socket.send('{"seq":2,"kind":"ping","body":null}')
      await socket.send('{"seq":3,"body":"plain"}')
      await recorded.until((r) => r.messages.length === 2, 'two messages')
      expect(recorded.messages).toEqual([
        { type: 'dish', data: { name: 'mapo' }, id: '1' },
        { type: 'message', data: 'plain', id: '3' },
      ])
      expect(recorded.events).toEqual([])
    })

    it('a throw drops that frame alone, as a protocol error', async () => {
      const recorded = open({ websocketFormat: numbered })
      const socket = await harness.server.nextSocket()
      await socket.send('not json')
      await socket.send('{"seq":5,"body":"after"}')
      await recorded.until((r) => r.messages.length === 1, 'the message after')
      expect(recorded.messages[0]).toEqual({ type: 'message', data: 'after', id: '5' })
      expect(recorded.dropped.map((error) => error.code)).toEqual(['protocol'])
      expect(recorded.dropped[0].cause).toBeInstanceOf(SyntaxError)
      expect(recorded.errors).toEqual([])
    })
  })

  it('passes websocketProtocols to the WebSocket, and none without it', async () => {
    open({ websocketProtocols: ['access_token', 'abc'] })
    expect((await harness.server.nextSocket()).headers['sec-websocket-protocol']).toBe('access_token,abc')
    harness.connection.close()
    open({ websocketProtocols: 'graphql-ws' })
    expect((await harness.server.nextSocket()).headers['sec-websocket-protocol']).toBe('graphql-ws')
    harness.connection.close()
    open()
    expect((await harness.server.nextSocket()).headers['sec-websocket-protocol']).toBeUndefined()
  })
})
