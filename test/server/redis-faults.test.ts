// Redis goes away for 2 s while two server processes stream to their clients, and comes back
// with its data or empty. A real redis-server is stopped and started again on the same port.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startRedis, type TestRedis } from '../helpers/redis-server'
import { waitFor } from '../helpers/wait'
import { removeFixtureBundle, startPushNode, type PushNode } from './push-nodes'
import { routedClient, type RoutedClient } from './routed-client'

const OUTAGE_MS = 2000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let redis: TestRedis
let nodes: PushNode[]
let clients: RoutedClient[]

beforeEach(async () => {
  redis = await startRedis()
  nodes = await Promise.all([0, 1].map(() => startPushNode({ redisUrl: redis.url, heartbeatMs: 200 })))
  // A watchdog shorter than the outage: if heartbeats stopped meanwhile, the clients would reconnect.
  clients = [
    routedClient('fetch-sse', nodes[0].origin, { heartbeatTimeoutMs: 1000 }),
    routedClient('websocket', nodes[1].origin, { heartbeatTimeoutMs: 1000 }),
  ]
  await waitFor(() => clients.every((routed) => routed.client.state === 'open'), 'clients open')
})

afterEach(async () => {
  clients.forEach((routed) => routed.client.close())
  await Promise.all(nodes.map((node) => node.close()))
  await redis.close()
})

afterAll(removeFixtureBundle)

/** Publishes on `node` until the event is stored (Redis is back and the node reconnected). */
async function publishOnceStored(node: PushNode, data: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      return await node.publish({ data })
    } catch {
      await sleep(50)
    }
  }
  throw new Error('no publish was stored within 10 s of Redis coming back')
}

async function outage(how: 'save' | 'lose'): Promise<{ before: string[]; after: string[]; rejected: number }> {
  const before: string[] = []
  for (let i = 0; i < 5; i++) before.push(await nodes[i % 2].publish({ data: `before ${i}` }))
  await waitFor(() => clients.every((routed) => routed.ids().length === 5), 'events before the outage')
  await redis.stop(how)
  const attempts: Array<Promise<boolean>> = []
  for (let waited = 0; waited < OUTAGE_MS; waited += 200) {
    const stored = nodes[(waited / 200) % 2].publish({ data: 'during the outage' })
    attempts.push(stored.then(() => true, () => false))
    await sleep(200)
  }
  const outcomes = await Promise.all(attempts)
  await redis.start()
  const after: string[] = []
  for (let i = 0; i < 5; i++) after.push(await publishOnceStored(nodes[i % 2], `after ${i}`))
  return { before, after, rejected: outcomes.filter((stored) => !stored).length }
}

/** Every client got exactly `stored`, in order, without ever reconnecting. */
async function everyStoredEventOnce(stored: string[]): Promise<void> {
  await waitFor(() => clients.every((routed) => routed.ids().length >= stored.length), 'events after the outage', 10000)
  clients.forEach((routed) => {
    expect(routed.ids()).toEqual(stored)
    // Opened once, never reconnected: the status went no further than its first 'open'.
    const states = routed.statuses.map((status) => status.state)
    expect(states.slice(states.indexOf('open'))).toEqual(['open'])
  })
}

describe('Redis streams adapter: Redis unreachable for 2 s', () => {
  it('back with its data: publishes meanwhile reject, clients stay connected and get every stored event once', async () => {
    const { before, after, rejected } = await outage('save')
    expect(rejected).toBe(OUTAGE_MS / 200)
    await everyStoredEventOnce([...before, ...after])
    clients.forEach((routed) => expect(routed.ids('pushwire:reset')).toEqual([]))
    expect(nodes[0].stderr).toMatch(/lost Redis .*retrying with backoff/)
    expect(nodes[0].stderr).toMatch(/reaches Redis again/)
  })

  it('back empty (its data lost): clients get pushwire:reset, then the stream goes on', async () => {
    const { before, after, rejected } = await outage('lose')
    expect(rejected).toBe(OUTAGE_MS / 200)
    await everyStoredEventOnce([...before, ...after])
    clients.forEach((routed) => {
      const types = routed.messages.map((message) => message.type)
      expect(types.indexOf('pushwire:reset')).toBe(5)
      expect(types.filter((type) => type === 'pushwire:reset')).toHaveLength(1)
    })
  })
})
