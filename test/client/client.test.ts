import { describe, expect, it, vi } from 'vitest'
import { createPushClient, isPushError, type PushMessage } from '../../src/index'
import { PushError } from '../../src/errors'
import { createFakeTransport, flush, setupFakeClientTests } from './fake-transport'

const URL = 'http://127.0.0.1:1/stream'

const t = setupFakeClientTests(URL)

describe('delivery', () => {
  it('delivers events by type, to * and as message, in order', async () => {
    const pushClient = t.client()
    const dishes: unknown[] = []
    const all: string[] = []
    pushClient.on('dish', (message) => dishes.push(message.data))
    pushClient.on('*', (message) => all.push(`${message.type}:${message.data}`))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    sink.event({ type: 'dish', data: 'a', id: '1' })
    sink.event({ type: 'message', data: 'b', id: '2' })
    sink.event({ type: 'dish', data: 'c' })
    expect(dishes).toEqual(['a', 'c'])
    expect(all).toEqual(['dish:a', 'message:b', 'dish:c'])
    expect(pushClient.lastEventId).toBe('2')
    expect(pushClient.state).toBe('open')
    expect(pushClient.transport).toBe('fake')
    pushClient.close()
  })

  it('marks messages with id, transport and receivedAt', async () => {
    vi.setSystemTime(1_700_000_000_000)
    const pushClient = t.client()
    const got: PushMessage[] = []
    pushClient.on('message', (message) => got.push(message))
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'message', data: 'x', id: '7' })
    expect(got).toEqual([{ type: 'message', data: 'x', id: '7', transport: 'fake', receivedAt: 1_700_000_000_000 }])
    pushClient.close()
  })

  it('drops events whose id was already delivered, across a resume', async () => {
    const pushClient = t.client()
    const ids: (string | undefined)[] = []
    pushClient.on('*', (message) => ids.push(message.id))
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'message', data: '1', id: '1' })
    t.fake.last().sink.event({ type: 'message', data: '2', id: '2' })
    t.fake.last().sink.fail(new PushError('network', 'dropped'))
    await vi.advanceTimersByTimeAsync(1000)
    const resumed = t.fake.last()
    expect(t.fake.opens).toHaveLength(2)
    expect(resumed.request.lastEventId()).toBe('2')
    resumed.sink.open()
    resumed.sink.event({ type: 'message', data: '2', id: '2' })
    resumed.sink.event({ type: 'message', data: '3', id: '3' })
    expect(ids).toEqual(['1', '2', '3'])
    pushClient.close()
  })

  it('starts from the lastEventId option and moves it with heartbeat ids without delivering them', async () => {
    const pushClient = t.client({ lastEventId: '41' })
    const seen: string[] = []
    pushClient.on('*', (message) => seen.push(message.type))
    await flush()
    expect(t.fake.last().request.lastEventId()).toBe('41')
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'pushwire:heartbeat', data: '', id: '57' })
    expect(pushClient.lastEventId).toBe('57')
    expect(seen).toEqual([])
    pushClient.close()
  })

  it('delivers pushwire:reset and forgets delivered ids so a restarted server is heard', async () => {
    const pushClient = t.client()
    const seen: string[] = []
    pushClient.on('*', (message) => seen.push(`${message.type}:${message.id ?? ''}`))
    const resets: unknown[] = []
    pushClient.on('pushwire:reset', (message) => resets.push(message.data))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    sink.event({ type: 'message', data: 'a', id: '1' })
    sink.event({ type: 'pushwire:reset', data: '{"lastEventId":"1"}' })
    sink.event({ type: 'message', data: 'b', id: '1' })
    expect(seen).toEqual(['message:1', 'pushwire:reset:', 'message:1'])
    expect(resets).toEqual(['{"lastEventId":"1"}'])
    pushClient.close()
  })

  it('decodes json and drops only the event that fails to decode', async () => {
    const pushClient = t.client({ decode: 'json' })
    const data: unknown[] = []
    pushClient.on('dish', (message) => data.push(message.data))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    sink.event({ type: 'dish', data: '{"n":1}', id: '1' })
    sink.event({ type: 'dish', data: '{broken', id: '2' })
    sink.event({ type: 'dish', data: '{"n":3}', id: '3' })
    expect(data).toEqual([{ n: 1 }, { n: 3 }])
    const errors = t.statuses.filter((status) => status.error).map((status) => status.error!.code)
    expect(errors).toEqual(['protocol'])
    expect(pushClient.state).toBe('open')
    expect(pushClient.lastEventId).toBe('3')
    pushClient.close()
  })

  it('applies a decode function with the event type', async () => {
    const pushClient = t.client({ decode: (data, type) => `${type}=${data.toUpperCase()}` })
    const data: unknown[] = []
    pushClient.on('dish', (message) => data.push(message.data))
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'dish', data: 'rice' })
    expect(data).toEqual(['dish=RICE'])
    pushClient.close()
  })

  it('keeps calling the other listeners when one throws, and reports the exception', async () => {
    const reported: unknown[] = []
    vi.stubGlobal('reportError', (error: unknown) => reported.push(error))
    const pushClient = t.client()
    const calls: string[] = []
    pushClient.on('message', () => {
      throw new Error('app bug')
    })
    pushClient.on('message', (message) => calls.push(String(message.data)))
    pushClient.onStatus(() => {
      throw new Error('status bug')
    })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'message', data: 'one' })
    t.fake.last().sink.event({ type: 'message', data: 'two' })
    expect(calls).toEqual(['one', 'two'])
    expect(pushClient.state).toBe('open')
    expect(reported.map((error) => (error as Error).message)).toContain('app bug')
    expect(reported.map((error) => (error as Error).message)).toContain('status bug')
    pushClient.close()
    vi.unstubAllGlobals()
  })

  it('lets a listener unsubscribe itself or another during an event', async () => {
    const pushClient = t.client()
    const calls: string[] = []
    const offSecond = pushClient.on('message', () => calls.push('second'))
    const offFirst = pushClient.on('message', () => {
      calls.push('first')
      offFirst()
      offSecond()
    })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'message', data: '' })
    t.fake.last().sink.event({ type: 'message', data: '' })
    expect(calls).toEqual(['second', 'first'])
    pushClient.close()
  })

  it('tells an open connection about newly listened event types', async () => {
    const pushClient = t.client()
    pushClient.on('dish', () => {})
    await flush()
    expect(t.fake.last().request.eventTypes).toEqual(['dish'])
    pushClient.on('order', () => {})
    pushClient.on('order', () => {})
    pushClient.on('*', () => {})
    expect(t.fake.last().listened).toEqual(['order'])
    pushClient.close()
  })
})

describe('lifecycle', () => {
  it('goes idle → connecting → open and closes for good', async () => {
    const pushClient = t.client({ lazy: true })
    expect(pushClient.state).toBe('idle')
    await flush()
    expect(t.fake.opens).toHaveLength(0)
    pushClient.connect()
    await flush()
    t.fake.last().sink.open()
    pushClient.close()
    pushClient.close()
    expect(t.statuses.map((status) => status.state)).toEqual(['connecting', 'open', 'closed'])
    expect(t.fake.last().closed).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ignores a transport that reports after close()', async () => {
    const pushClient = t.client()
    const seen: unknown[] = []
    pushClient.on('*', (message) => seen.push(message))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    pushClient.close()
    sink.event({ type: 'message', data: 'late' })
    sink.fail(new PushError('network', 'late'))
    expect(seen).toEqual([])
    expect(pushClient.state).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reconnects after close() + connect(), resuming from the last id', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event({ type: 'message', data: '', id: '9' })
    pushClient.close()
    pushClient.connect()
    await flush()
    expect(t.fake.opens).toHaveLength(2)
    expect(t.fake.last().request.lastEventId()).toBe('9')
    pushClient.close()
  })

  it('ends the async iterator on close()', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    const received: unknown[] = []
    const loop = (async () => {
      for await (const message of pushClient) received.push(message.data)
    })()
    t.fake.last().sink.event({ type: 'message', data: 'a' })
    t.fake.last().sink.event({ type: 'dish', data: 'b' })
    await flush()
    t.fake.last().sink.event({ type: 'message', data: 'c' })
    pushClient.close()
    await loop
    expect(received).toEqual(['a', 'b', 'c'])
  })

  it('stops an async iterator with a too-large error instead of buffering without bound', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    const iterator = pushClient[Symbol.asyncIterator]()
    for (let i = 0; i <= 10000; i++) t.fake.last().sink.event({ type: 'message', data: String(i) })
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

  it('closes with an error when no transport is supported', () => {
    const unsupported = createFakeTransport('nope', { supported: false })
    const pushClient = createPushClient({ url: URL, transports: [unsupported.transport] })
    expect(pushClient.state).toBe('closed')
    expect(pushClient.status.error?.message).toContain('nope')
  })
})

describe('send', () => {
  it('uses the connection when it can send', async () => {
    t.fake = createFakeTransport('fake', { canSend: true })
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    await pushClient.send('hi')
    await pushClient.send({ n: 1 })
    expect(t.fake.last().sent).toEqual(['hi', '{"n":1}'])
    pushClient.close()
    await expect(pushClient.send('late')).rejects.toMatchObject({ code: 'network' })
  })

  it('POSTs to url with headers and query otherwise', async () => {
    const calls: { url: string; init: RequestInit }[] = []
    const fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init })
      return new Response(null, { status: 204 })
    }) as unknown as typeof globalThis.fetch
    const pushClient = t.client({ fetch, headers: () => ({ Authorization: 'Bearer t' }), query: { room: 'a' } })
    await pushClient.send({ text: 'hello' })
    expect(calls[0].url).toBe(`${URL}?room=a`)
    expect(calls[0].init.method).toBe('POST')
    expect(calls[0].init.body).toBe('{"text":"hello"}')
    expect(calls[0].init.headers).toMatchObject({ Authorization: 'Bearer t', 'Content-Type': 'application/json' })
    pushClient.close()
  })

  it('rejects with the HTTP error of a failed POST', async () => {
    const fetch = (async () => new Response('no', { status: 413 })) as unknown as typeof globalThis.fetch
    const pushClient = t.client({ fetch })
    await expect(pushClient.send('x')).rejects.toMatchObject({ code: 'http', status: 413 })
    pushClient.close()
  })
})
