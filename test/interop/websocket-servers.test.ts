import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startNumberedWsServer, readNumbered, type NumberedWsFixture } from './fixtures/numbered-ws-server'
import { recordClient } from './fixtures/recorded-client'
import { startSeed, type SeedProcess } from './fixtures/seed-process'

// pushwire's websocket transport against WebSocket servers it did not write: the seed
// article's `ws` broadcast server, and a plain `ws` server with numbered JSON frames.

let seed: SeedProcess | undefined
let numbered: NumberedWsFixture | undefined

afterEach(async () => {
  await Promise.all([seed?.stop(), numbered?.close()])
  seed = numbered = undefined
})

/** Another client of the broadcast server, as the article's chat page would be. */
async function chatPeer(port: number): Promise<WebSocket> {
  const peer = new WebSocket(`ws://127.0.0.1:${port}`)
  await new Promise((resolve, reject) => {
    peer.once('open', resolve)
    peer.once('error', reject)
  })
  return peer
}

describe("the seed's ws broadcast server", () => {
  it("with websocketFormat 'text': opens at the upgrade, and reads its binary frames as text", async () => {
    seed = await startSeed('ws-broadcast')
    const recorded = recordClient({ url: `http://127.0.0.1:${seed.port}/`, transports: ['websocket'], websocketFormat: 'text' })
    // The server sends nothing until somebody talks: the upgrade is the open.
    await recorded.until(() => recorded.client.state === 'open', 'open')
    const peer = await chatPeer(seed.port)
    peer.send('你好, pushwire')
    await recorded.client.send('and hello back')
    await recorded.until(() => recorded.messages.length === 2, 'both relayed messages')
    expect(recorded.messages.map((message) => [message.type, message.data])).toEqual([
      ['message', '你好, pushwire'],
      ['message', 'and hello back'],
    ])
    expect(recorded.errorCodes()).toEqual([])
    peer.close()
  })

  it("with websocketFormat 'text' and decode 'json': JSON chat messages arrive as objects", async () => {
    seed = await startSeed('ws-broadcast')
    const recorded = recordClient({
      url: `http://127.0.0.1:${seed.port}/`,
      transports: ['websocket'],
      websocketFormat: 'text',
      decode: 'json',
    })
    await recorded.until(() => recorded.client.state === 'open', 'open')
    await recorded.client.send({ user: 'xiaomeng', text: '菜品更新' })
    await recorded.until(() => recorded.messages.length === 1, 'the relayed message')
    expect(recorded.data()).toEqual([{ user: 'xiaomeng', text: '菜品更新' }])
  })

  it("left at websocketFormat 'sse': every frame is a protocol error that names the option, and the connection stays", async () => {
    seed = await startSeed('ws-broadcast')
    const recorded = recordClient({ url: `http://127.0.0.1:${seed.port}/`, transports: ['websocket'] })
    // Nothing comes first, so the open waits for a frame: send one through a peer.
    await recorded.until(() => seed?.output.includes('新客户端已连接'), 'the connection')
    const peer = await chatPeer(seed.port)
    peer.send('{"dish":"mapo tofu"}')
    peer.send('plain text')
    await recorded.until(() => recorded.errorCodes().length === 2, 'two errors')
    expect(recorded.errorCodes()).toEqual(['protocol', 'protocol'])
    expect(recorded.statuses.at(-1)?.error?.message).toContain("websocketFormat: 'text'")
    expect(recorded.client.state).toBe('open')
    expect(recorded.messages).toEqual([])
    peer.close()
  })
})

describe('a ws server with numbered JSON frames, read by a websocketFormat function', () => {
  it('delivers each frame as its own typed message with the number as id, and skips what it maps to null', async () => {
    numbered = await startNumberedWsServer()
    const recorded = recordClient({ url: 'http://127.0.0.1/', websocketUrl: numbered.url, transports: ['websocket'], websocketFormat: readNumbered })
    const dishes: unknown[] = []
    recorded.client.on('dish', (message) => dishes.push(message.data))
    await recorded.until(() => recorded.client.state === 'open' && numbered?.sockets === 1, 'open')
    numbered.publish('dish', { name: 'mapo tofu', sales: 3 })
    numbered.ping()
    numbered.publish('price', 38.5)
    await recorded.until(() => recorded.messages.length === 2, 'two messages')
    expect(recorded.messages.map((message) => [message.type, message.data, message.id])).toEqual([
      ['dish', { name: 'mapo tofu', sales: 3 }, '1'],
      ['price', 38.5, '2'],
    ])
    expect(dishes).toEqual([{ name: 'mapo tofu', sales: 3 }])
    expect(recorded.client.lastEventId).toBe('2')
  })

  it('resumes after a cut from the last number, and drops what the server sends twice', async () => {
    // The server replays two more than asked, as servers that resend a margin do.
    numbered = await startNumberedWsServer({ replayExtra: 2 })
    const recorded = recordClient({ url: 'http://127.0.0.1/', websocketUrl: numbered.url, transports: ['websocket'], websocketFormat: readNumbered })
    await recorded.until(() => numbered?.sockets === 1, 'open')
    for (let n = 1; n <= 3; n++) numbered.publish('message', n)
    await recorded.until(() => recorded.messages.length === 3, 'three messages')
    numbered.cut()
    await recorded.until(() => numbered?.sockets === 0, 'the cut')
    numbered.publish('message', 4)
    numbered.publish('message', 5)
    await recorded.until(() => recorded.messages.length === 5, 'the replay')
    numbered.publish('message', 6)
    await recorded.until(() => recorded.messages.length === 6, 'the next live message')
    expect(recorded.data()).toEqual([1, 2, 3, 4, 5, 6])
    expect(numbered.resumedFrom).toEqual(['', '3'])
  })

  it('reads binary frames as UTF-8 text, and a frame it throws on is a protocol error for that frame only', async () => {
    numbered = await startNumberedWsServer()
    const recorded = recordClient({ url: 'http://127.0.0.1/', websocketUrl: numbered.url, transports: ['websocket'], websocketFormat: readNumbered })
    await recorded.until(() => numbered?.sockets === 1, 'open')
    numbered.publish('dish', '麻婆豆腐')
    numbered.sendBinary('{"seq":2,"type":"dish","data":"宫保鸡丁"}')
    numbered.sendBinary('not json')
    await recorded.until(() => recorded.errorCodes().length === 1, 'the error')
    expect(recorded.data()).toEqual(['麻婆豆腐', '宫保鸡丁'])
    expect(recorded.errorCodes()).toEqual(['protocol'])
    expect(recorded.client.state).toBe('open')
  })

  it('offers websocketProtocols in the upgrade', async () => {
    numbered = await startNumberedWsServer()
    const recorded = recordClient({
      url: 'http://127.0.0.1/',
      websocketUrl: numbered.url,
      transports: ['websocket'],
      websocketFormat: readNumbered,
      websocketProtocols: ['numbered.v1', 'token.abc'],
    })
    await recorded.until(() => recorded.client.state === 'open', 'open')
    expect(numbered.protocols).toEqual([['numbered.v1', 'token.abc']])
  })
})
