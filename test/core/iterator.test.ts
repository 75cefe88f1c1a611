import { describe, expect, it, vi } from 'vitest'
import { PushError, isPushError } from '../../src/errors'
import { flush, setupFakeClientTests } from '../client/fake-transport'

// The iterator as users reach it: `for await (const message of client)`.
const t = setupFakeClientTests('http://127.0.0.1:1/stream')

describe('message iterator', () => {
  it('ends the async iterator on close()', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    const received: unknown[] = []
    const loop = (async () => {
      for await (const message of pushClient) received.push(message.data)
    })()
    t.fake.last().sink.event('message', 'a')
    t.fake.last().sink.event('dish', 'b')
    await flush()
    t.fake.last().sink.event('message', 'c')
    pushClient.close()
    await loop
    expect(received).toEqual(['a', 'b', 'c'])
  })

  it('ends at once an async iterator started on a closed client', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(new PushError('closed-by-server', '204', { status: 204 }))
    const received: unknown[] = []
    const loop = (async () => {
      for await (const message of pushClient) received.push(message)
      return 'ended'
    })()
    await expect(Promise.race([loop, vi.advanceTimersByTimeAsync(60000).then(() => 'hung')])).resolves.toBe('ended')
    expect(received).toEqual([])
  })

  it('yields the new connection to an iterator made after close() and connect() in one task', async () => {
    const pushClient = t.client()
    pushClient.close()
    pushClient.connect()
    const iterator = pushClient[Symbol.asyncIterator]()
    // The statuses of this task, 'closed' among them, are delivered in a microtask.
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('message', 'after reconnect')
    const next = iterator.next()
    await expect(Promise.race([next, vi.advanceTimersByTimeAsync(1000).then(() => 'hung')])).resolves.toEqual({
      value: expect.objectContaining({ data: 'after reconnect' }),
      done: false,
    })
    pushClient.close()
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true })
  })

  it('ends an iterator made before close() and connect() in one task', async () => {
    const pushClient = t.client()
    const iterator = pushClient[Symbol.asyncIterator]()
    pushClient.close()
    pushClient.connect()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('message', 'after reconnect')
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true })
    pushClient.close()
  })

  it('stops an async iterator with a too-large error instead of buffering without bound', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    const iterator = pushClient[Symbol.asyncIterator]()
    for (let i = 0; i <= 10000; i++) t.fake.last().sink.event('message', String(i))
    let drained = 0
    let failure: unknown
    try {
      for (;;) {
        const result = await iterator.next()
        if (result.done) break
        drained++
      }
    } catch (error) {
      failure = error
    }
    expect(drained).toBe(10000)
    expect(isPushError(failure) && failure.code).toBe('too-large')
    pushClient.close()
  })
})
