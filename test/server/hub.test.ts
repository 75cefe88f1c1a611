import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHub, type HubClient } from '../../src/server/hub'
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
    expect(ring.between(3, 5)).toBe('<4><5>')
    expect(ring.between(0, 5)).toBe('<3><4><5>')
    expect(ring.between(0, 4)).toBe('<3><4>')
    expect(ring.idAt(5)).toBe('5')
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

describe('hub fan-out', () => {
  it('encodes a batch once and hands the very same bytes to every client', async () => {
    const hub = createHub({ bufferSize: 10, heartbeatMs: 60_000, maxClientBufferBytes: 1024 })
    const a = recordingClient()
    const b = recordingClient()
    const removeA = hub.add(a)
    const removeB = hub.add(b)
    hub.publish({ data: 'one' })
    hub.publish({ data: 'two' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(a.writes).toHaveLength(1)
    expect(a.writes[0]).toBe(b.writes[0])
    expect(a.writes[0].toString()).toBe('id: 1\ndata: one\n\nid: 2\ndata: two\n\n')
    removeA()
    removeB()
  })

  it('does not replay events that the next flush will deliver anyway', async () => {
    const hub = createHub({ bufferSize: 10, heartbeatMs: 60_000, maxClientBufferBytes: 1024 })
    hub.publish({ data: 'flushed' })
    await new Promise((resolve) => setImmediate(resolve))
    hub.publish({ data: 'pending' })
    // A client connecting now replays only what live clients have already had…
    expect(hub.replay('0').text).toBe('id: 1\ndata: flushed\n\n')
    expect(hub.headId()).toBe('1')
    const client = recordingClient()
    const remove = hub.add(client)
    await new Promise((resolve) => setImmediate(resolve))
    // …and gets the pending one exactly once, with the batch.
    expect(client.writes.map(String)).toEqual(['id: 2\ndata: pending\n\n'])
    expect(hub.headId()).toBe('2')
    remove()
  })

  it('beats every heartbeatMs while clients are connected, and stops with the last one', () => {
    vi.useFakeTimers()
    const hub = createHub({ bufferSize: 10, heartbeatMs: 1000, maxClientBufferBytes: 1024 })
    const beat = Buffer.from(':\n\n')
    const streaming = recordingClient(beat)
    const polling = recordingClient()
    const removeStreaming = hub.add(streaming)
    const removePolling = hub.add(polling)
    vi.advanceTimersByTime(999)
    expect(streaming.writes).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(streaming.writes).toEqual([beat])
    vi.advanceTimersByTime(2000)
    expect(streaming.writes).toHaveLength(3)
    expect(polling.writes).toHaveLength(0)
    removeStreaming()
    removePolling()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('writes a batch larger than the bound to a client that had nothing pending', async () => {
    const hub = createHub({ bufferSize: 10, heartbeatMs: 60_000, maxClientBufferBytes: 8 })
    // A reader that never reads: everything written stays unsent.
    const client = recordingClient()
    client.backlog = () => client.writes.reduce((sum, write) => sum + write.length, 0)
    const remove = hub.add(client)
    hub.publish({ data: 'a burst much larger than eight bytes' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(client.destroyed).toBe(false)
    expect(client.writes).toHaveLength(1)
    // The next delivery finds it still holding all of that: now it is cut.
    hub.publish({ data: 'more' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(client.destroyed).toBe(true)
    expect(client.writes).toHaveLength(1)
    remove()
  })

  it('destroys a client whose backlog passes the bound, on a heartbeat as on an event', () => {
    vi.useFakeTimers()
    const hub = createHub({ bufferSize: 10, heartbeatMs: 1000, maxClientBufferBytes: 2 })
    const client = recordingClient(Buffer.from(':\n\n'), 3)
    const remove = hub.add(client)
    vi.advanceTimersByTime(999)
    expect(client.destroyed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(client.destroyed).toBe(true)
    remove()
  })
})
