import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Adapter, History } from '../../src/server/adapters/adapter'
import { memoryAdapter } from '../../src/server/adapters/memory'
import { createHub, type HubClient } from '../../src/server/hub'
import { replayThenGoLive } from '../../src/server/replay'
import { createEventRing } from '../../src/server/ring-buffer'
import { encodeEvent } from '../../src/server/sse-encoding'

afterEach(() => {
  vi.useRealTimers()
})

function recordingClient(heartbeat?: Buffer, backlog = 0): HubClient & { writes: Buffer[]; destroyed: boolean } {
  const client = {
    writes: [] as Buffer[],
    destroyed: false,
    heartbeat,
    write(payload: Buffer) {
      client.writes.push(payload)
    },
    backlog: () => backlog,
    end() {},
    destroy() {
      client.destroyed = true
    },
  }
  return client
}

describe('event ring', () => {
  it('keeps the newest `capacity` events and finds resume points among them', () => {
    const ring = createEventRing(3)
    for (let i = 1; i <= 5; i++) ring.push(String(i), `<${i}>`)
    expect(ring.lastSeq).toBe(5)
    expect(ring.floorSeq).toBe(2)
    expect(ring.cursorOf('2')).toBeUndefined()
    expect(ring.cursorOf('3')).toBe(3)
    expect(ring.cursorOf('0')).toBeUndefined()
    expect(ring.page(3, 5, Infinity)).toEqual({ text: '<4><5>', lastSeq: 5 })
    expect(ring.page(0, 5, Infinity)).toEqual({ text: '<3><4><5>', lastSeq: 5 })
    expect(ring.page(0, 4, Infinity)).toEqual({ text: '<3><4>', lastSeq: 4 })
  })

  it('cuts pages before they pass maxBytes, but never below one event', () => {
    const ring = createEventRing(10)
    for (let i = 1; i <= 5; i++) ring.push(String(i), `<${i}>`)
    expect(ring.page(0, 5, 6)).toEqual({ text: '<1><2>', lastSeq: 2 })
    expect(ring.page(0, 5, 8)).toEqual({ text: '<1><2>', lastSeq: 2 })
    expect(ring.page(2, 5, 1)).toEqual({ text: '<3>', lastSeq: 3 })
    expect(ring.page(5, 5, 6)).toEqual({ text: '', lastSeq: 5 })
  })

  it('treats "0" as the start while the first event is still held', () => {
    const ring = createEventRing(2)
    expect(ring.cursorOf('0')).toBe(0)
    ring.push('1', 'a')
    ring.push('2', 'b')
    expect(ring.cursorOf('0')).toBe(0)
    ring.push('3', 'c')
    expect(ring.cursorOf('0')).toBeUndefined()
  })

  it('resolves a repeated custom id to its newest event, and forgets it once evicted', () => {
    const ring = createEventRing(2)
    ring.push('same', 'a')
    ring.push('same', 'b')
    expect(ring.cursorOf('same')).toBe(2)
    ring.push('x', 'c')
    expect(ring.cursorOf('same')).toBe(2)
    ring.push('y', 'd')
    expect(ring.cursorOf('same')).toBeUndefined()
  })
})

describe('SSE encoding', () => {
  it('splits data on CR, LF and CRLF into data: lines, and keeps empty lines', () => {
    expect(encodeEvent({ data: 'a\rb\r\nc\n\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: \ndata: d\n\n')
    expect(encodeEvent({ event: 'e', id: '9', data: '' })).toBe('event: e\nid: 9\ndata: \n\n')
  })
})

function memoryHub(bufferSize: number, heartbeatMs: number, maxClientBufferBytes: number) {
  return createHub({ adapter: memoryAdapter({ bufferSize }) as Adapter, heartbeatMs, maxClientBufferBytes })
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

async function allPages(history: History): Promise<string> {
  let text = ''
  for (let page = await history.next(); page !== undefined; page = await history.next()) text += page
  return text
}

describe('hub fan-out', () => {
  it('encodes a batch once and hands the very same bytes to every client', async () => {
    const hub = memoryHub(10, 60_000, 1024)
    const a = recordingClient()
    const b = recordingClient()
    const joinedA = hub.join(a, false)
    const joinedB = hub.join(b, false)
    await hub.publish({ data: 'one' })
    await hub.publish({ data: 'two' })
    await tick()
    expect(a.writes).toHaveLength(1)
    expect(a.writes[0]).toBe(b.writes[0])
    expect(a.writes[0].toString()).toBe('id: 1\ndata: one\n\nid: 2\ndata: two\n\n')
    joinedA.remove()
    joinedB.remove()
  })

  it('does not replay events that the next flush will deliver anyway', async () => {
    const hub = memoryHub(10, 60_000, 1024)
    await hub.publish({ data: 'flushed' })
    await tick()
    await hub.publish({ data: 'pending' })
    // A client joining now replays only what live clients have already had…
    const client = recordingClient()
    const joined = hub.join(client, true)
    expect(joined.until?.id).toBe('1')
    expect(await allPages(await hub.history('0', joined.until))).toBe('id: 1\ndata: flushed\n\n')
    expect(hub.headId()).toBe('1')
    await tick()
    // …and gets the pending one exactly once, held back until its replay is written.
    expect(client.writes).toHaveLength(0)
    joined.release()
    expect(client.writes.map(String)).toEqual(['id: 2\ndata: pending\n\n'])
    expect(hub.headId()).toBe('2')
    joined.remove()
  })

  it('skips the live events a client already has when its resume point is newer than the join', async () => {
    const hub = memoryHub(10, 60_000, 1024)
    const client = recordingClient()
    const joined = hub.join(client, true)
    await hub.publish({ data: 'a' })
    await hub.publish({ data: 'b' })
    await tick()
    await hub.publish({ data: 'c' })
    await tick()
    joined.release('2')
    expect(client.writes.map(String)).toEqual(['id: 3\ndata: c\n\n'])
    joined.remove()
  })

  it('beats every heartbeatMs while clients are connected, and stops with the last one', () => {
    vi.useFakeTimers()
    const hub = memoryHub(10, 1000, 1024)
    const beat = Buffer.from(':\n\n')
    const streaming = recordingClient(beat)
    const polling = recordingClient()
    const replaying = recordingClient(beat)
    const joinedStreaming = hub.join(streaming, false)
    const joinedPolling = hub.join(polling, false)
    const joinedReplaying = hub.join(replaying, true)
    vi.advanceTimersByTime(999)
    expect(streaming.writes).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(streaming.writes).toEqual([beat])
    vi.advanceTimersByTime(2000)
    expect(streaming.writes).toHaveLength(3)
    expect(polling.writes).toHaveLength(0)
    // A client being replayed to is busy receiving its history.
    expect(replaying.writes).toHaveLength(0)
    joinedStreaming.remove()
    joinedPolling.remove()
    joinedReplaying.remove()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('writes a batch larger than the bound to a client that had nothing pending', async () => {
    const hub = memoryHub(10, 60_000, 8)
    // A reader that never reads: everything written stays unsent.
    const client = recordingClient()
    client.backlog = () => client.writes.reduce((sum, write) => sum + write.length, 0)
    const joined = hub.join(client, false)
    await hub.publish({ data: 'a burst much larger than eight bytes' })
    await tick()
    expect(client.destroyed).toBe(false)
    expect(client.writes).toHaveLength(1)
    // The next delivery finds it still holding all of that: now it is cut.
    await hub.publish({ data: 'more' })
    await tick()
    expect(client.destroyed).toBe(true)
    expect(client.writes).toHaveLength(1)
    joined.remove()
  })

  it('holds live events for a replaying client only within the bound, counting what it has not read', async () => {
    const hub = memoryHub(100, 60_000, 64)
    const client = recordingClient(undefined, 30)
    const joined = hub.join(client, true)
    await hub.publish({ data: 'x'.repeat(20) })
    await tick()
    expect(client.destroyed).toBe(false)
    await hub.publish({ data: 'y'.repeat(20) })
    await tick()
    // 30 unsent bytes of replay + 68 held are past 64: the next batch cuts it instead of piling up.
    expect(client.destroyed).toBe(false)
    await hub.publish({ data: 'z' })
    await tick()
    expect(client.destroyed).toBe(true)
    expect(client.writes).toHaveLength(0)
    joined.remove()
  })

  it('destroys a client whose backlog passes the bound, on a heartbeat as on an event', () => {
    vi.useFakeTimers()
    const hub = memoryHub(10, 1000, 2)
    const client = recordingClient(Buffer.from(':\n\n'), 3)
    const joined = hub.join(client, false)
    vi.advanceTimersByTime(999)
    expect(client.destroyed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(client.destroyed).toBe(true)
    joined.remove()
  })
})

/** A client that takes nothing until `read()`: what is written stays unsent and counts as its backlog. */
function stalledClient(): HubClient & { writes: Buffer[]; destroyed: boolean; read(): void } {
  const unsent: Array<{ payload: Buffer; written?: (error?: Error | null) => void }> = []
  let reading = false
  const client = {
    writes: [] as Buffer[],
    destroyed: false,
    write(payload: Buffer, written?: (error?: Error | null) => void) {
      client.writes.push(payload)
      if (reading) setImmediate(() => written && written())
      else unsent.push({ payload, written })
    },
    backlog: () => unsent.reduce((sum, write) => sum + write.payload.length, 0),
    end() {},
    destroy() {
      client.destroyed = true
    },
    read() {
      reading = true
      unsent.splice(0).forEach((write) => write.written && write.written())
    },
  }
  return client
}

describe('replays and live events', () => {
  it('writes pages of at most half of maxClientBufferBytes, so live events published while one is unsent are held, not a cut', async () => {
    const bound = 4096
    const hub = memoryHub(1000, 60_000, bound)
    for (let i = 1; i <= 100; i++) await hub.publish({ data: 'x'.repeat(90) })
    await tick()
    const client = stalledClient()
    const joined = hub.join(client, true)
    const replay = replayThenGoLive(hub, client, joined, '1', 60_000)
    while (client.writes.length === 0) await tick()
    // The first page waits for the client to take it; live events come meanwhile, one batch each.
    for (let i = 1; i <= 10; i++) {
      await hub.publish({ data: `live ${i}` })
      await tick()
    }
    expect(client.destroyed).toBe(false)
    expect(client.writes).toHaveLength(1)
    expect(client.backlog()).toBeLessThanOrEqual(bound / 2)
    client.read()
    await replay
    await tick()
    expect(client.destroyed).toBe(false)
    expect(client.writes.every((write) => write.length <= bound / 2)).toBe(true)
    const ids = client.writes.join('').match(/^id: \d+$/gm)
    expect(ids).toEqual(Array.from({ length: 109 }, (_, i) => `id: ${i + 2}`))
    joined.remove()
  })
})

describe('memory adapter history', () => {
  it('reads in pages of at most half of maxClientBufferBytes (64 KiB at most), every event once', async () => {
    const hub = memoryHub(100, 60_000, 300)
    for (let i = 1; i <= 10; i++) await hub.publish({ data: 'x'.repeat(40) })
    await tick()
    const joined = hub.join(recordingClient(), true)
    const history = await hub.history('2', joined.until)
    expect(history.reset).toBe(false)
    const pages: string[] = []
    for (let page = await history.next(); page !== undefined; page = await history.next()) pages.push(page)
    // Two events of about 55 characters fit in 150, three do not.
    expect(pages.map((page) => page.length <= 150 && page.match(/^id: /gm)!.length)).toEqual([2, 2, 2, 2])
    expect(pages.join('').match(/^id: \d+$/gm)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10'].map((id) => `id: ${id}`))
    joined.remove()
  })

  it('fails the rest of a replay whose events were evicted while it was being read', async () => {
    const hub = memoryHub(4, 60_000, 60)
    for (let i = 1; i <= 4; i++) await hub.publish({ data: String(i) })
    await tick()
    const joined = hub.join(recordingClient(), true)
    const history = await hub.history('0', joined.until)
    expect(await history.next()).toBe('id: 1\ndata: 1\n\nid: 2\ndata: 2\n\n')
    for (let i = 5; i <= 7; i++) await hub.publish({ data: String(i) })
    await expect(history.next()).rejects.toThrow(/evicted meanwhile/)
    joined.remove()
  })
})
