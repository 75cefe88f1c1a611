// One suite, two adapters: what a client sees from pushwire/server when it is served by several
// processes (Redis streams: three processes sharing one real redis-server) or by one (memory:
// the three "processes" are the same one). Clients are the pushwire client on every transport.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startRedis, type TestRedis } from '../helpers/redis-server'
import { waitFor } from '../helpers/wait'
import { removeFixtureBundle, startPushNode, type PushNode } from './push-nodes'
import { routedClient, TRANSPORTS, type RoutedClient } from './routed-client'

// Small enough to trim in a test; Redis trims whole blocks of 100 entries, so ~100 more stay.
const HISTORY = 50

interface Cluster {
  kind: string
  /** Three handles: three processes with Redis, one process thrice with memory. */
  nodes: PushNode[]
  close(): Promise<void>
}

async function redisCluster(): Promise<Cluster> {
  const redis: TestRedis = await startRedis()
  const nodes = await Promise.all([0, 1, 2].map(() => startPushNode({ redisUrl: redis.url, maxLen: HISTORY, heartbeatMs: 1000 })))
  return {
    kind: 'redis',
    nodes,
    async close() {
      await Promise.all(nodes.map((node) => node.close()))
      await redis.close()
    },
  }
}

async function memoryCluster(): Promise<Cluster> {
  const node = await startPushNode({ bufferSize: HISTORY, heartbeatMs: 1000 })
  return { kind: 'memory', nodes: [node, node, node], close: () => node.close() }
}

const clients: RoutedClient[] = []

function connect(transport: (typeof TRANSPORTS)[number], node: PushNode): RoutedClient {
  const routed = routedClient(transport, node.origin)
  clients.push(routed)
  return routed
}

afterEach(() => {
  clients.splice(0).forEach((routed) => routed.client.close())
})

afterAll(removeFixtureBundle)

const open = (routed: RoutedClient) => routed.client.state === 'open'

describe.each([
  ['memory', memoryCluster],
  ['redis', redisCluster],
])('%s adapter: clients across processes', (_kind, start) => {
  let cluster: Cluster
  beforeAll(async () => {
    cluster = await start()
  })
  afterAll(() => cluster.close())

  it('delivers what is published on any process to every client on every process, once each, in one order', async () => {
    const { nodes } = cluster
    const all = nodes.flatMap((node) => TRANSPORTS.map((transport) => connect(transport, node)))
    await waitFor(() => all.every(open), 'every client open', 10000)
    // Long-poll clients are connected once they hold their cursor.
    await waitFor(() => all.every((routed) => routed.client.lastEventId !== undefined || routed.statuses.some((s) => s.transport !== 'long-poll')), 'cursors', 10000)
    const published = await Promise.all(Array.from({ length: 30 }, (_, i) => nodes[i % 3].publish({ data: `e${i}` })))
    await waitFor(() => all.every((routed) => routed.ids().length >= 30), 'every event everywhere', 10000)
    const order = all[0].ids()
    expect(order).toHaveLength(30)
    expect([...order].sort()).toEqual([...published].sort())
    all.forEach((routed) => expect(routed.ids()).toEqual(order))
    all.forEach((routed) => expect(routed.ids('pushwire:reset')).toEqual([]))
    // clientCount is per process: its own SSE and WebSocket clients, plus a long-poll while held.
    const processes = new Set(nodes).size
    const counts = await Promise.all([...new Set(nodes)].map(async (node) => (await node.stats()).clientCount))
    const streaming = (3 * 3) / processes
    const polling = 3 / processes
    counts.forEach((count) => expect(count >= streaming && count <= streaming + polling).toBe(true))
  })

  it.each(TRANSPORTS)('%s: a client cut mid-stream resumes on another process with nothing lost or repeated', async (transport) => {
    const { nodes } = cluster
    const routed = connect(transport, nodes[0])
    await waitFor(() => open(routed), 'client open', 10000)
    await waitFor(() => transport !== 'long-poll' || routed.client.lastEventId !== undefined, 'long-poll cursor', 10000)
    const published: string[] = []
    let publishing = true
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        published.push(await nodes[2].publish({ data: `${transport} ${i}` }))
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    await waitFor(() => routed.ids().length >= 10, 'ten events before the cut', 10000)
    // A long-poll client is connected only while a poll is held: cut until one was.
    while ((await nodes[0].disconnectAll()) === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    routed.route(nodes[1].origin)
    const delivered = routed.ids().length
    await waitFor(() => routed.ids().length >= delivered + 10, 'ten events after the cut', 10000)
    publishing = false
    await publisher
    await waitFor(() => routed.ids().length >= published.length, 'every event published', 10000)
    expect(routed.ids()).toEqual(published)
    expect(routed.ids('pushwire:reset')).toEqual([])
    expect(routed.statuses.some((status) => status.state === 'reconnecting')).toBe(true)
  })

  it('answers a resume point older than the history kept with pushwire:reset', async () => {
    const { nodes } = cluster
    const [oldest] = await nodes[0].publishMany({ data: 'old' }, 1)
    // More than the stream or buffer keeps: the oldest is trimmed or evicted.
    for (let i = 0; i < 4; i++) await nodes[i % 3].publishMany({ data: 'filler' }, 100)
    const newest = await nodes[1].publish({ data: 'newest' })
    const resumed = routedClient('fetch-sse', nodes[2].origin, { lastEventId: oldest })
    clients.push(resumed)
    await waitFor(() => resumed.ids().indexOf(newest) !== -1, 'the replay up to the newest event', 10000)
    expect(resumed.messages[0].type).toBe('pushwire:reset')
    expect(JSON.parse(String(resumed.messages[0].data))).toEqual({ lastEventId: oldest })
    expect(resumed.ids()).not.toContain(oldest)
  })
})
