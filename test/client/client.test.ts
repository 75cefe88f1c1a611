import { describe, expect, it, vi } from 'vitest'
import { createPushClient, type PushMessage, type PushStatus } from '../../src/index'
import { PushError } from '../../src/errors'
import { createFakeTransport, flush, setupFakeClientTests } from './fake-transport'

const URL = 'http://127.0.0.1:1/stream'

const t = setupFakeClientTests(URL)

/** An open client whose `'*'` listener records the id of every delivered message. */
async function openRecordingIds() {
  const pushClient = t.client()
  const ids: (string | undefined)[] = []
  pushClient.on('*', (message) => ids.push(message.id))
  await flush()
  t.fake.last().sink.open()
  return { pushClient, ids }
}

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
    sink.event('dish', 'a', '1')
    sink.event('message', 'b', '2')
    sink.event('dish', 'c')
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
    t.fake.last().sink.event('message', 'x', '7')
    expect(got).toEqual([{ type: 'message', data: 'x', id: '7', transport: 'fake', receivedAt: 1_700_000_000_000 }])
    pushClient.close()
  })

  it('reads the clock for activity once per task', async () => {
    vi.setSystemTime(1000)
    const pushClient = t.client()
    const receivedAt: number[] = []
    pushClient.on('message', (message) => receivedAt.push(message.receivedAt))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    sink.activity()
    sink.event('message', 'a')
    vi.setSystemTime(2000)
    sink.activity()
    sink.event('message', 'b')
    await Promise.resolve()
    sink.activity()
    sink.event('message', 'c')
    expect(receivedAt).toEqual([1000, 1000, 2000])
    pushClient.close()
  })

  it('drops events whose id was already delivered, across a resume', async () => {
    const { pushClient, ids } = await openRecordingIds()
    t.fake.last().sink.event('message', '1', '1')
    t.fake.last().sink.event('message', '2', '2')
    t.fake.last().sink.fail(new PushError('network', 'dropped'))
    await vi.advanceTimersByTimeAsync(1000)
    const resumed = t.fake.last()
    expect(t.fake.opens).toHaveLength(2)
    expect(resumed.request.lastEventId()).toBe('2')
    resumed.sink.open()
    resumed.sink.event('message', '2', '2')
    resumed.sink.event('message', '3', '3')
    expect(ids).toEqual(['1', '2', '3'])
    pushClient.close()
  })

  it('drops a replay of the last 1024 ids, however many the connection delivered', async () => {
    const { pushClient, ids } = await openRecordingIds()
    for (let id = 1; id <= 3000; id++) t.fake.last().sink.event('message', '', String(id))
    t.fake.last().sink.fail(new PushError('network', 'dropped'))
    await vi.advanceTimersByTimeAsync(1000)
    const resumed = t.fake.last()
    resumed.sink.open()
    for (let id = 3000 - 1023; id <= 3001; id++) resumed.sink.event('message', '', String(id))
    expect(ids).toHaveLength(3001)
    expect(ids[3000]).toBe('3001')
    pushClient.close()
  })

  it('drops an id already delivered on the same connection: a replay of 3..5 after 1..5', async () => {
    const { pushClient, ids } = await openRecordingIds()
    for (const id of ['1', '2', '3', '4', '5', '3', '4', '5', '6']) t.fake.last().sink.event('message', '', id)
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6'])
    pushClient.close()
  })

  it('delivers an event with a 256 KiB id, but neither dedupes it nor resumes from it', async () => {
    const { pushClient, ids } = await openRecordingIds()
    const huge = 'x'.repeat(256 * 1024)
    t.fake.last().sink.event('message', '', '41')
    t.fake.last().sink.event('message', '', huge)
    t.fake.last().sink.event('message', '', huge)
    expect(ids).toEqual(['41', huge, huge])
    expect(pushClient.lastEventId).toBe('41')
    t.fake.last().sink.fail(new PushError('network', 'dropped'))
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.fake.last().request.lastEventId()).toBe('41')
    pushClient.close()
  })

  it('delivers messages decoded already as they are, deduped by id like events', async () => {
    const pushClient = t.client({ decode: 'json' })
    const got: PushMessage[] = []
    pushClient.on('*', (message) => got.push(message))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    sink.message('dish', { name: 'mapo' }, '1')
    sink.message('dish', 'not json', '2')
    sink.message('dish', { name: 'again' }, '1')
    sink.message('pushwire:heartbeat', '', '3')
    expect(got.map((message) => [message.type, message.data, message.id])).toEqual([
      ['dish', { name: 'mapo' }, '1'],
      ['dish', 'not json', '2'],
    ])
    expect(pushClient.lastEventId).toBe('3')
    expect(t.statuses.filter((status) => status.error)).toEqual([])
    pushClient.close()
  })

  it('reports what a transport dropped as an error of the open state, and stays open', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.dropped(new PushError('protocol', 'a frame ends inside an event'))
    expect(t.statuses.at(-1)).toMatchObject({ state: 'open', error: { code: 'protocol' } })
    expect(t.fake.last().closed).toBe(false)
    pushClient.close()
  })

  it('resumes from the newest id of events and heartbeats; a reset keeps the resume point', async () => {
    const pushClient = t.client({ lastEventId: '1' })
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    expect(pushClient.lastEventId).toBe('1')
    sink.event('message', '', '2')
    expect(pushClient.lastEventId).toBe('2')
    sink.event('pushwire:heartbeat', '', '5')
    expect(pushClient.lastEventId).toBe('5')
    sink.event('message', '', '6')
    sink.event('pushwire:heartbeat', '')
    sink.event('pushwire:reset', '')
    expect(pushClient.lastEventId).toBe('6')
    sink.event('message', '', '')
    expect(pushClient.lastEventId).toBe('')
    pushClient.close()
  })

  it('starts from the lastEventId option and moves it with heartbeat ids without delivering them', async () => {
    const pushClient = t.client({ lastEventId: '41' })
    const seen: string[] = []
    pushClient.on('*', (message) => seen.push(message.type))
    await flush()
    expect(t.fake.last().request.lastEventId()).toBe('41')
    t.fake.last().sink.open()
    t.fake.last().sink.event('pushwire:heartbeat', '', '57')
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
    sink.event('message', 'a', '1')
    sink.event('pushwire:reset', '{"lastEventId":"1"}')
    sink.event('message', 'b', '1')
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
    sink.event('dish', '{"n":1}', '1')
    sink.event('dish', '{broken', '2')
    sink.event('dish', '{"n":3}', '3')
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
    t.fake.last().sink.event('dish', 'rice')
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
    t.fake.last().sink.event('message', 'one')
    t.fake.last().sink.event('message', 'two')
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
    t.fake.last().sink.event('message', '')
    t.fake.last().sink.event('message', '')
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

  it('shows a listener added right after createPushClient every status from connecting on', async () => {
    const pushClient = createPushClient({ url: URL, transports: [t.fake.transport] })
    expect(pushClient.state).toBe('connecting')
    expect(pushClient.status).toEqual({ state: 'connecting', transport: 'fake', attempt: 0 })
    const seen: PushStatus[] = []
    pushClient.onStatus((status) => seen.push(status))
    await flush()
    t.fake.last().sink.open()
    pushClient.close()
    expect(seen.map((status) => [status.state, status.transport])).toEqual([
      ['connecting', 'fake'],
      ['open', 'fake'],
      ['closed', 'fake'],
    ])
  })

  it('delivers the statuses of the creating task in order, also after close() in that task', async () => {
    const pushClient = createPushClient({ url: URL, transports: [t.fake.transport] })
    pushClient.close()
    expect(pushClient.state).toBe('closed')
    const seen: string[] = []
    pushClient.onStatus((status) => seen.push(status.state))
    expect(seen).toEqual([])
    await flush()
    expect(seen).toEqual(['connecting', 'closed'])
    expect(t.fake.opens).toHaveLength(0)
  })

  it('shows a listener added right after a lazy client connects the connecting status', async () => {
    const pushClient = createPushClient({ url: URL, transports: [t.fake.transport], lazy: true })
    expect(pushClient.state).toBe('idle')
    pushClient.connect()
    const seen: string[] = []
    pushClient.onStatus((status) => seen.push(status.state))
    await flush()
    expect(seen).toEqual(['connecting'])
    pushClient.close()
  })

  it('delivers statuses at once after the creating task', async () => {
    const pushClient = t.client({ lazy: true })
    await flush()
    pushClient.connect()
    expect(t.statuses.map((status) => status.state)).toEqual(['connecting'])
    pushClient.close()
  })

  it('ignores a transport that reports after close()', async () => {
    const pushClient = t.client()
    const seen: unknown[] = []
    pushClient.on('*', (message) => seen.push(message))
    await flush()
    const { sink } = t.fake.last()
    sink.open()
    pushClient.close()
    sink.event('message', 'late')
    sink.fail(new PushError('network', 'late'))
    expect(seen).toEqual([])
    expect(pushClient.state).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reconnects after close() + connect(), resuming from the last id', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('message', '', '9')
    pushClient.close()
    pushClient.connect()
    await flush()
    expect(t.fake.opens).toHaveLength(2)
    expect(t.fake.last().request.lastEventId()).toBe('9')
    pushClient.close()
  })

  it.each(['connecting', 'open', 'reconnecting'])('stays closed when a status listener closes it on %s', async (closeOn) => {
    const pushClient = t.client({ lazy: true })
    pushClient.onStatus((status) => {
      if (status.state === closeOn) pushClient.close()
    })
    pushClient.connect()
    await flush()
    if (closeOn !== 'connecting') t.fake.last().sink.open()
    if (closeOn === 'reconnecting') t.fake.last().sink.fail(new PushError('http', '500', { status: 500 }))
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(120000)
    expect(pushClient.state).toBe('closed')
    expect(t.fake.opens.length).toBeLessThanOrEqual(1)
  })

  it('delivers every status to every listener in order when a status listener closes the client', async () => {
    const pushClient = t.client({ lazy: true })
    pushClient.onStatus((status) => {
      if (status.state === 'reconnecting') pushClient.close()
    })
    const seenLater: string[] = []
    pushClient.onStatus((status) => seenLater.push(status.state))
    pushClient.connect()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.fail(new PushError('network', 'dropped'))
    const expected = ['connecting', 'open', 'reconnecting', 'closed']
    expect(seenLater).toEqual(expected)
    expect(t.statuses.map((status) => status.state)).toEqual(expected)
  })

  it('closes with an error when no transport is supported', async () => {
    const unsupported = createFakeTransport('nope', { supported: false })
    const pushClient = createPushClient({ url: URL, transports: [unsupported.transport] })
    expect(pushClient.state).toBe('closed')
    expect(pushClient.status.error?.message).toContain('nope')
    const seen: PushStatus[] = []
    pushClient.onStatus((status) => seen.push(status))
    await flush()
    expect(seen).toEqual([pushClient.status])
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
