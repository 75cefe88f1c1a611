// redisStreamsAdapter in this process against a real redis-server: what it stores, how it reads
// history, what it owns. Several processes and outages: cluster.test.ts, redis-faults.test.ts.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { createClient } from 'redis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Adapter, History, StoredEvent } from '../../src/server/adapters/adapter'
import { redisStreamsAdapter, type PushServer } from '../../src/server/index'
import { startRedis, type TestRedis } from '../helpers/redis-server'
import { startSilentRelay } from '../helpers/silent-relay'
import { waitFor, within } from '../helpers/wait'
import { closeServers, openStream, parseEvents, startServer } from './helpers'

let redis: TestRedis
let control: ReturnType<typeof createClient>
let streamNumber = 0
/** A stream of its own for each test. */
let stream: string

beforeAll(async () => {
  redis = await startRedis()
  control = createClient({ url: redis.url })
  await control.connect()
})

afterAll(async () => {
  await control.close()
  await redis.close()
})

afterEach(async () => {
  await closeServers()
  stream = `test-${++streamNumber}`
})
stream = `test-${++streamNumber}`


/** An adapter started on its own, for the history reads a server makes once it has started. */
async function startedAdapter(): Promise<Adapter> {
  const adapter = redisStreamsAdapter({ url: redis.url, stream }) as Adapter
  adapter.start({ sink: { deliver() {}, reset() {} }, pageBytes: 64 * 1024 })
  await adapter.whenStarted()
  return adapter
}

async function allPages(history: History): Promise<string[]> {
  const ids: string[] = []
  for (let page = await history.next(); page !== undefined; page = await history.next()) {
    parseEvents(page).forEach((event) => ids.push(event.id as string))
  }
  return ids
}

const xadd = (data: string) => control.sendCommand(['XADD', stream, '*', 'data', data]) as Promise<string>
const at = (id: string): StoredEvent => ({ id, chunk: '', bytes: 0 })

describe('redisStreamsAdapter: storing', () => {
  it('stores each event as a stream entry (fields event and data) whose id is the event id on the wire', async () => {
    const { port, push } = await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream }) })
    const sse = await openStream(port, '/stream')
    await sse.until((text) => text.startsWith(':ok'), 'opened')
    const first = await push.publish({ event: 'dish', data: { name: 'pho' } })
    const second = await push.publish({ data: 'two\nlines' })
    expect(first).toMatch(/^\d+-\d+$/)
    const entries = (await control.sendCommand(['XRANGE', stream, '-', '+'])) as Array<[string, string[]]>
    expect(entries).toEqual([
      [first, ['event', 'dish', 'data', '{"name":"pho"}']],
      [second, ['data', 'two\nlines']],
    ])
    const text = await sse.until((t) => t.indexOf('lines') !== -1, 'both events')
    expect(text).toBe(`:ok\n\nevent: dish\nid: ${first}\ndata: {"name":"pho"}\n\nid: ${second}\ndata: two\ndata: lines\n\n`)
    sse.close()
  })

  it('trims with MAXLEN ~ maxLen: the stream keeps about maxLen entries', async () => {
    const { push } = await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream, maxLen: 10 }) })
    for (let i = 0; i < 350; i++) await push.publish({ data: String(i) })
    const length = Number(await control.sendCommand(['XLEN', stream]))
    // Redis trims whole blocks of 100 entries, so between maxLen and maxLen + 100 stay.
    expect(length).toBeGreaterThanOrEqual(10)
    expect(length).toBeLessThanOrEqual(110)
  })

  it('uses a custom id written as a stream entry id, and rejects any other with a clear error', async () => {
    const { push } = await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream }) })
    await expect(push.publish({ data: 'mine', id: '9000000000000-7' })).resolves.toBe('9000000000000-7')
    await expect(push.publish({ data: 'older', id: '5-0' })).rejects.toThrow(/not stored in Redis \(.*equal or smaller than the target stream top item/)
    await expect(push.publish({ data: 'x', id: 'order-17' })).rejects.toThrow(/`id` must be a stream entry id such as '1700000000000-0'.*Leave it out/)
    await expect(push.publish({ data: 'x', id: '0-0' })).rejects.toThrow(TypeError)
    expect(Number(await control.sendCommand(['XLEN', stream]))).toBe(1)
  })

  it('holds a publish made before the first connection until it is up', async () => {
    const push = (await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream }) })).push
    // Straight after createPushServer(): the connection is still being made.
    await expect(push.publish({ data: 'early' })).resolves.toMatch(/^\d+-\d+$/)
  })
})

describe('redisStreamsAdapter: connections', () => {
  it('close() releases both of its connections (the publishing one and the blocked reader)', async () => {
    const before = await connections()
    const server = await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream }) })
    await server.push.publish({ data: 'x' })
    // The reader settles into its blocking read.
    const opened = await connectionsUntil((list) => newOnes(list, before).length === 2 && newOnes(list, before).some((line) => /cmd=xread/.test(line)))
    expect(newOnes(opened, before)).toHaveLength(2)
    await server.close()
    await connectionsUntil((list) => newOnes(list, before).length === 0)
  })

  it('uses a given client without closing it, and reads on a duplicate that it does close', async () => {
    const mine = createClient({ url: redis.url })
    mine.on('error', () => {})
    await mine.connect()
    const before = await connections()
    const server = await startServer({ adapter: redisStreamsAdapter({ client: mine, stream }) })
    await expect(server.push.publish({ data: 'through my client' })).resolves.toMatch(/^\d+-\d+$/)
    await connectionsUntil((list) => newOnes(list, before).length === 1)
    await server.close()
    await connectionsUntil((list) => newOnes(list, before).length === 0)
    expect(mine.isReady).toBe(true)
    await mine.close()
  })

  it('checks its options, naming itself, the option and what it takes', () => {
    expect(() => redisStreamsAdapter({ url: redis.url, client: control as never })).toThrow(/redisStreamsAdapter\(\) takes `url` or `client`, not both/)
    expect(() => redisStreamsAdapter({ url: 'localhost:6379' })).toThrow(/redisStreamsAdapter\(\) option `url` must be a redis:\/\/ or rediss:\/\/ URL/)
    expect(() => redisStreamsAdapter({ client: {} as never })).toThrow(/redisStreamsAdapter\(\) option `client` must be a node-redis client/)
    // Lacking what the adapter uses beyond sending commands: close() and destroy() (on its duplicate), isReady.
    const partial = { duplicate() {}, sendCommand() {}, connect() {}, on() {}, isOpen: true }
    expect(() => redisStreamsAdapter({ client: partial as never })).toThrow(/option `client` must be a node-redis client/)
    expect(() => redisStreamsAdapter({ stream: '' })).toThrow(/redisStreamsAdapter\(\) option `stream` must be a non-empty string/)
    expect(() => redisStreamsAdapter({ maxLen: 0 })).toThrow(
      new TypeError('pushwire/server: redisStreamsAdapter() option `maxLen` must be an integer from 1 to 9007199254740991, got 0'),
    )
    expect(() => redisStreamsAdapter({ commandTimeoutMs: 2 ** 31 })).toThrow(
      new TypeError('pushwire/server: redisStreamsAdapter() option `commandTimeoutMs` must be an integer from 1 to 2147483647, got 2147483648'),
    )
  })

  it('names the package to install when `redis` is missing', async () => {
    // Bundled into a directory with no node_modules above it, where `redis` cannot be found.
    const dir = mkdtempSync(join(tmpdir(), 'pushwire-no-redis-'))
    try {
      writeFileSync(
        join(dir, 'entry.ts'),
        `import { redisStreamsAdapter } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'server', 'index'))}\n` +
          'try { redisStreamsAdapter() } catch (error) { console.log(error.message) }\n',
      )
      await build({ entryPoints: [join(dir, 'entry.ts')], outfile: join(dir, 'entry.mjs'), bundle: true, platform: 'node', format: 'esm', external: ['ws', 'redis'], logLevel: 'error' })
      const output = execFileSync(process.execPath, [join(dir, 'entry.mjs')], { encoding: 'utf8' })
      expect(output.trim()).toBe('pushwire/server: redisStreamsAdapter() needs the optional peer dependency `redis` (npm install redis)')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** One line of CLIENT LIST per connection to the test's Redis. */
async function connections(): Promise<string[]> {
  return String(await control.sendCommand(['CLIENT', 'LIST'])).split('\n').filter(Boolean)
}

/** The connections in `list` that were not there `before` (compared by connection id). */
function newOnes(list: string[], before: string[]): string[] {
  const known = new Set(before.map((line) => /id=(\d+)/.exec(line)![1]))
  return list.filter((line) => !known.has(/id=(\d+)/.exec(line)![1]))
}

/** Polls CLIENT LIST until `done(list)` holds (5 s at most). */
async function connectionsUntil(done: (list: string[]) => boolean): Promise<string[]> {
  let list: string[] = []
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    list = await connections()
    if (done(list)) return list
  }
  throw new Error(`Redis connections not as expected:\n${list.join('\n')}`)
}

describe('redisStreamsAdapter: history', () => {
  it('replays after an entry id, up to the head the client joined at', async () => {
    const ids = [await xadd('a'), await xadd('b'), await xadd('c'), await xadd('d')]
    const adapter = await startedAdapter()
    const history = await adapter.history(ids[0], at(ids[2]))
    expect(history.reset).toBe(false)
    expect(await allPages(history)).toEqual([ids[1], ids[2]])
    await adapter.close()
  })

  it('skips instead of resetting when the resume point is newer than this process has delivered', async () => {
    const ids = [await xadd('a'), await xadd('b'), await xadd('c')]
    const adapter = await startedAdapter()
    const history = await adapter.history(ids[2], at(ids[0]))
    expect(history).toMatchObject({ reset: false, skipThrough: ids[2] })
    expect(await allPages(history)).toEqual([])
    await adapter.close()
  })

  it('resets a resume point that is malformed, unknown or trimmed, and replays the whole stream after it', async () => {
    const ids = [await xadd('a'), await xadd('b')]
    const adapter = await startedAdapter()
    for (const afterId of ['17', 'abc', '1-2', '01-0', `${ids[0].split('-')[0]}-99999`]) {
      const history = await adapter.history(afterId, at(ids[1]))
      expect(history.reset).toBe(true)
      expect(await allPages(history)).toEqual(ids)
    }
    await adapter.close()
  })

  it('takes "0" as the start while nothing was trimmed, and resets it afterwards', async () => {
    const ids = [await xadd('a'), await xadd('b')]
    const adapter = await startedAdapter()
    const whole = await adapter.history('0', at(ids[1]))
    expect(whole.reset).toBe(false)
    expect(await allPages(whole)).toEqual(ids)
    await control.sendCommand(['XTRIM', stream, 'MAXLEN', '1'])
    expect((await adapter.history('0', at(ids[1]))).reset).toBe(true)
    await adapter.close()
  })

  it('fails the rest of a replay whose next entries were trimmed while it was being read', async () => {
    const ids: string[] = []
    for (let i = 0; i < 40; i++) ids.push(await xadd('x'.repeat(4000)))
    const adapter = await startedAdapter()
    // A first replay teaches the adapter how large entries are: it then reads fewer at once.
    expect(await allPages(await adapter.history(ids[0], at(ids[39])))).toEqual(ids.slice(1))
    const history = await adapter.history(ids[1], at(ids[39]))
    expect(await history.next()).toBeDefined()
    await control.sendCommand(['XTRIM', stream, 'MAXLEN', '1'])
    await expect(allPages(history)).rejects.toThrow(/trimmed from the Redis stream meanwhile/)
    await adapter.close()
  })

  it('reads about a page from Redis per resume point, however much larger than the recent ones the entries after it are', async () => {
    const large: string[] = []
    for (let i = 0; i < 400; i++) large.push(await xadd('x'.repeat(16 * 1024)))
    const relay = await startSilentRelay(redis.port)
    const adapter = redisStreamsAdapter({ url: relay.url, stream }) as Adapter
    const pageBytes = 64 * 1024
    let delivered = 0
    try {
      adapter.start({ sink: { deliver: (events) => (delivered += events.length), reset() {} }, pageBytes })
      await adapter.whenStarted()
      // Small entries since: the adapter guesses how many entries make a page from recent sizes.
      for (let i = 0; i < 50; i++) await xadd(`small ${i}`)
      await waitFor(() => delivered === 50, 'the small entries delivered')
      // Ten clients resume at once from ten places in the stretch of large entries.
      const resumePoints = large.slice(0, 10)
      const before = relay.answeredBytes
      const histories = await Promise.all(resumePoints.map((afterId) => adapter.history(afterId, at(large[399]))))
      const firstPages = await Promise.all(histories.map((history) => history.next()))
      firstPages.forEach((page, i) => expect(parseEvents(page!)[0].id).toBe(large[i + 1]))
      // Each read brought a page and at most one entry more (and the replies' framing), not the
      // hundreds of 16 KiB entries that the small ones' size would have asked for.
      expect(relay.answeredBytes - before).toBeLessThan(resumePoints.length * (pageBytes + 2 * 16 * 1024))
      // The rest still comes, page by page.
      const rest = await allPages(histories[0])
      expect(parseEvents(firstPages[0]!).map((event) => event.id).concat(rest)).toEqual(large.slice(1))
    } finally {
      await adapter.close()
      await relay.close()
    }
  })

  it('cuts pages at pageBytes, also when the SSE text of an entry is much longer than what Redis holds', async () => {
    // 8,000 bytes in Redis, 32,000 characters as SSE: every line gets its own `data: `.
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push(await xadd('a\n'.repeat(3999) + 'a'))
    const adapter = await startedAdapter()
    const history = await adapter.history(ids[0], at(ids[19]))
    const pages: string[] = []
    for (let page = await history.next(); page !== undefined; page = await history.next()) pages.push(page)
    expect(pages.map((page) => page.length <= 64 * 1024 && parseEvents(page).length)).toEqual(Array(9).fill(2).concat(1))
    expect(parseEvents(pages.join('')).map((event) => event.id)).toEqual(ids.slice(1))
    await adapter.close()
  })

  it('cuts pages at pageBytes in UTF-8 bytes: CJK text makes pages of fewer characters', async () => {
    const ids: string[] = []
    for (let i = 0; i < 100; i++) ids.push(await xadd('中'.repeat(90)))
    const adapter = redisStreamsAdapter({ url: redis.url, stream }) as Adapter
    adapter.start({ sink: { deliver() {}, reset() {} }, pageBytes: 2048 })
    await adapter.whenStarted()
    const history = await adapter.history(ids[0], at(ids[99]))
    const pages: string[] = []
    for (let page = await history.next(); page !== undefined; page = await history.next()) pages.push(page)
    pages.forEach((page) => expect(Buffer.byteLength(page)).toBeLessThanOrEqual(2048))
    expect(parseEvents(pages.join('')).map((event) => event.id)).toEqual(ids.slice(1))
    await adapter.close()
  })

  it('reads the stream once for a storm of clients resuming from the same id', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push(await xadd(`e${i}`))
    const { port } = await startServer({ adapter: redisStreamsAdapter({ url: redis.url, stream }) })
    const xranges = async () => Number(/cmdstat_xrange:calls=(\d+)/.exec((await control.sendCommand(['INFO', 'commandstats'])) as string)?.[1] ?? 0)
    // Let the reader settle into its blocking read first: it checks its position with XRANGE too.
    const primer = await openStream(port, '/stream')
    await primer.until((t) => t.startsWith(':ok'), 'server started')
    const before = await xranges()
    const storm = await Promise.all(Array.from({ length: 40 }, () => openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': ids[4] })))
    await Promise.all(storm.map((sse) => sse.until((t) => t.indexOf(`id: ${ids[19]}\n`) !== -1, 'replay')))
    storm.forEach((sse) => expect(parseEvents(sse.text).map((event) => event.id)).toEqual(ids.slice(5)))
    expect((await xranges()) - before).toBeLessThanOrEqual(2)
    storm.forEach((sse) => sse.close())
    primer.close()
  })
})

describe('redisStreamsAdapter: a Redis that stops answering', () => {
  it('rejects a publish after commandTimeoutMs, refuses the next ones at once, and stores again once Redis answers', async () => {
    // A Redis of its own: stopped with SIGSTOP, it keeps its connections open and answers nothing.
    const stalled = await startRedis()
    try {
      const { port, push } = await startServer({ adapter: redisStreamsAdapter({ url: stalled.url, stream, commandTimeoutMs: 300 }) })
      const live = await openStream(port, '/stream')
      await live.until((text) => text.startsWith(':ok'), 'opened')
      const first = await push.publish({ data: 'before' })
      await live.until((text) => text.indexOf('data: before\n') !== -1, 'the event before')

      stalled.pause()
      await expect(within(push.publish({ data: 'unanswered' }), 'the publish to settle')).rejects.toThrow(
        'pushwire/server: Redis did not answer within 300 ms (commandTimeoutMs); the event may or may not be stored',
      )
      // Not queued behind the unanswered one: refused without being sent.
      await expect(within(push.publish({ data: 'refused' }), 'the next publish to settle')).rejects.toThrow(
        'pushwire/server: Redis has not answered for over 300 ms (commandTimeoutMs); the event was not stored',
      )
      // A replay cannot be read meanwhile: the client is dropped (it retries), not held.
      const resuming = await openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': first })
      await within(resuming.ended, 'the resuming client to be dropped')

      stalled.resume()
      let after: string | undefined
      while (after === undefined) {
        after = await push.publish({ data: 'after' }).catch(() => undefined)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await live.until((text) => text.indexOf('data: after\n') !== -1, 'the event after')
      // Redis had received the unanswered publish before it stopped: it stored it when it went on.
      expect(parseEvents(live.text).map((event) => event.data)).toEqual(['before', 'unanswered', 'after'])
      live.close()
    } finally {
      stalled.resume()
      await closeServers()
      await stalled.close()
    }
  })
})

describe('redisStreamsAdapter: close() while Redis is silent', () => {
  it('still releases both of its connections', async () => {
    const relay = await startSilentRelay(redis.port)
    try {
      const server = await startServer({ adapter: redisStreamsAdapter({ url: relay.url, stream, commandTimeoutMs: 200 }) })
      await server.push.publish({ data: 'stored' })
      expect(relay.connections).toBe(2)
      relay.silence()
      await expect(server.push.publish({ data: 'unanswered' })).rejects.toThrow(/did not answer within 200 ms/)
      await within(server.close(), 'close()')
      // An open connection would also keep the Node process from exiting.
      await waitFor(() => relay.connections === 0, 'no connection left to the silent Redis')
    } finally {
      await relay.close()
    }
  })
})

/** Publishes until one is stored; fails after `ms`. */
async function storedWithin(push: PushServer, ms: number): Promise<string> {
  const deadline = performance.now() + ms
  while (performance.now() < deadline) {
    const stored = await push.publish({ data: 'after' }).catch(() => undefined)
    if (stored !== undefined) return stored
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`no publish was stored within ${ms} ms`)
}

describe('redisStreamsAdapter: a storing connection gone silent', () => {
  it('is dropped at the first unanswered command and made anew: publishes are stored again within a few seconds', async () => {
    const relay = await startSilentRelay(redis.port)
    try {
      const { push } = await startServer({ adapter: redisStreamsAdapter({ url: relay.url, stream, commandTimeoutMs: 300 }) })
      await push.publish({ data: 'before' })
      // Half-open: both connections stay up and nothing they send is ever answered.
      relay.silence()
      await expect(push.publish({ data: 'unanswered' })).rejects.toThrow(/did not answer within 300 ms/)
      const stored = await storedWithin(push, 3000)
      const entries = (await control.sendCommand(['XRANGE', stream, '-', '+'])) as Array<[string, string[]]>
      expect(entries.map(([id]) => id)).toContain(stored)
    } finally {
      await relay.close()
    }
  })

  it('with a given client, is left to the client: configured as the docs say, it reconnects and publishes are stored again', async () => {
    const relay = await startSilentRelay(redis.port)
    // What docs/scaling.md asks of a client handed to the adapter.
    const mine = createClient({ url: relay.url, pingInterval: 500, socket: { socketTimeout: 1500, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) } })
    mine.on('error', () => {})
    try {
      const { push } = await startServer({ adapter: redisStreamsAdapter({ client: mine, stream, commandTimeoutMs: 300 }) })
      await push.publish({ data: 'before' })
      relay.silence()
      await expect(push.publish({ data: 'unanswered' })).rejects.toThrow(/did not answer within 300 ms/)
      await storedWithin(push, 5000)
      await closeServers()
      // Not the adapter's to close.
      expect(mine.isOpen).toBe(true)
    } finally {
      mine.destroy()
      await relay.close()
    }
  })
})

describe('redisStreamsAdapter: a reader connection gone silent', () => {
  it('is dropped and made anew, and the clients get what other processes stored meanwhile', async () => {
    const relay = await startSilentRelay(redis.port)
    try {
      const { port } = await startServer({ adapter: redisStreamsAdapter({ url: relay.url, stream, commandTimeoutMs: 300 }) })
      const live = await openStream(port, '/stream')
      await live.until((text) => text.startsWith(':ok'), 'opened')
      // Settled into its blocking read: a reader that hears nothing now is not just between reads.
      await connectionsUntil((list) => list.some((line) => /cmd=xread/.test(line)))
      relay.silence()
      // Stored by another process, straight into Redis.
      const id = await xadd('from another process')
      // The reader hears nothing for its block time and commandTimeoutMs, then reconnects and
      // reads on from the last entry it delivered.
      await live.until((text) => text.indexOf(`id: ${id}\n`) !== -1, 'the event stored meanwhile', 12000)
      live.close()
    } finally {
      await relay.close()
    }
  })
})
