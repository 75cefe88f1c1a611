// The pushwire client's long-poll transport against pushwire/server, both adapters: a long-poll
// is answered with the first page of what it missed and polls again for the rest, and after a
// reset its cursor is the last replayed id. Every event must still arrive once, in order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPushClient, type PushClient, type PushMessage } from '../../src/index'
import { memoryAdapter, redisStreamsAdapter, type PushAdapter } from '../../src/server/index'
import { startRedis, type TestRedis } from '../helpers/redis-server'
import { waitFor } from '../helpers/wait'
import { closeServers, startServer } from './helpers'

let redis: TestRedis
let streamNumber = 0
let client: PushClient | undefined

beforeAll(async () => {
  redis = await startRedis()
})

afterEach(async () => {
  client?.close()
  client = undefined
  await closeServers()
})

afterAll(() => redis.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.each<[string, () => PushAdapter, string]>([
  // bufferSize holds every event of the test: a reset here means an unknown id, not eviction.
  ['memory', () => memoryAdapter({ bufferSize: 200 }), 'unknown'],
  ['redis', () => redisStreamsAdapter({ url: redis.url, stream: `long-poll-${++streamNumber}` }), '1-1'],
])('%s adapter: the long-poll client', (_kind, adapter, unknownId) => {
  async function replayed(resumeFrom: (published: string[]) => string): Promise<{ messages: PushMessage[]; published: string[] }> {
    // Pages of about 1,000 characters: 60 events of some 120 make a replay of several polls.
    const { port, push } = await startServer({ adapter: adapter(), maxClientBufferBytes: 1000, pollTimeoutMs: 500 })
    const published: string[] = []
    const polledFrom = new Set<string | null>()
    for (let i = 0; i < 60; i++) published.push(await push.publish({ data: `${'x'.repeat(100)} ${i}` }))
    const messages: PushMessage[] = []
    client = createPushClient({
      url: `http://127.0.0.1:${port}/stream`,
      transports: ['long-poll'],
      lastEventId: resumeFrom(published),
      retry: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
      fetch: (input, init) => {
        polledFrom.add(new URL(String(input)).searchParams.get('lastEventId'))
        return fetch(input, init)
      },
    })
    client.on('*', (message) => messages.push(message))
    // Published while the replay is being polled for, page by page.
    for (let i = 0; i < 20; i++) {
      published.push(await push.publish({ data: `live ${i}` }))
      await sleep(5)
    }
    // Every event after the resume point: all of them after a reset.
    const expected = published.length - Math.max(0, published.indexOf(resumeFrom(published)) + 1)
    await waitFor(() => messages.filter((message) => message.type === 'message').length >= expected, 'every event', 10000)
    // Time for a duplicate to show up, if one were coming.
    await sleep(100)
    // The 60 events before the client came took several polls, each from where the last ended.
    expect(polledFrom.size).toBeGreaterThan(6)
    return { messages, published }
  }

  const ids = (messages: PushMessage[]) => messages.filter((message) => message.type === 'message').map((message) => message.id)

  it('gets a multi-page replay and the live events after it, each once, in order', async () => {
    const { messages, published } = await replayed((all) => all[0])
    expect(ids(messages)).toEqual(published.slice(1))
    expect(messages.some((message) => message.type === 'pushwire:reset')).toBe(false)
  })

  it('after a reset, gets the whole history in pages and the live events after it, each once, in order', async () => {
    const { messages, published } = await replayed(() => unknownId)
    expect(messages[0].type).toBe('pushwire:reset')
    expect(messages[0].data).toBe(JSON.stringify({ lastEventId: unknownId }))
    expect(ids(messages)).toEqual(published)
    expect(messages.filter((message) => message.type === 'pushwire:reset')).toHaveLength(1)
  })
})
