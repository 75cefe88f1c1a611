import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { httpStatusError } from '../../src/core/http-status'
import { PushError } from '../../src/errors'
import { createMemoryStorage } from '../helpers'
import { createFakeTransport, flush, setupFakeClientTests, type FakeTransport } from './fake-transport'

const URL = 'http://127.0.0.1:1/stream'

const t = setupFakeClientTests(URL)
const network = () => new PushError('network', 'dropped')
const delays = () => t.statuses.filter((s) => s.state === 'reconnecting').map((s) => s.delayMs)
const CONNECT_TIMEOUT_MS = 1000

/**
 * The open of `transport` under way fails by the connect timeout, after the headers of a body
 * that never comes (a buffering proxy) when `headers` is set; then the backoff delay passes.
 */
async function timeOut(transport: FakeTransport, headers: boolean): Promise<void> {
  if (headers) transport.last().sink.activity()
  await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS)
  await vi.advanceTimersByTimeAsync(delays().at(-1)!)
}

describe('reconnection', () => {
  it('backs off exponentially between failed attempts', async () => {
    const pushClient = t.client()
    await flush()
    for (let i = 0; i < 4; i++) {
      t.fake.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(delays()[i]!)
    }
    expect(delays()).toEqual([1000, 2000, 4000, 8000])
    expect(t.fake.opens).toHaveLength(5)
    expect(t.statuses.filter((s) => s.state === 'reconnecting').map((s) => s.attempt)).toEqual([1, 2, 3, 4])
    pushClient.close()
  })

  it('waits the whole delay and not less', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(999)
    expect(t.fake.opens).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(t.fake.opens).toHaveLength(2)
    pushClient.close()
  })

  it("uses the server's retry: field as the base delay", async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.retry(250)
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(250)
    t.fake.last().sink.fail(network())
    expect(delays()).toEqual([250, 500])
    pushClient.close()
  })

  it('waits as long as Retry-After says', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(new PushError('http', '503', { status: 503, retryAfterMs: 7000 }))
    expect(delays()).toEqual([7000])
    expect(t.statuses.at(-1)?.error?.status).toBe(503)
    pushClient.close()
  })

  it('keeps waiting when Retry-After is longer than setTimeout can hold', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(httpStatusError(503, 'Wed, 21 Oct 2099 07:28:00 GMT', 'GET /stream'))
    await vi.advanceTimersByTimeAsync(60000)
    expect(t.fake.opens).toHaveLength(1)
    expect(pushClient.state).toBe('reconnecting')
    pushClient.close()
  })

  it('resets the backoff after a connection that stayed open for initialDelayMs * 10', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(1000)
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(2000)
    t.fake.last().sink.open()
    t.fake.last().sink.activity()
    await vi.advanceTimersByTimeAsync(9999)
    t.fake.last().sink.fail(network())
    expect(delays()).toEqual([1000, 2000, 4000])
    await vi.advanceTimersByTimeAsync(4000)
    t.fake.last().sink.open()
    await vi.advanceTimersByTimeAsync(10000)
    t.fake.last().sink.fail(network())
    expect(delays().at(-1)).toBe(1000)
    pushClient.close()
  })

  it('with initialDelayMs: 0, still grows the delay when each connection opens and drops at once', async () => {
    // initialDelayMs * 10 is 0 ms here: every open would count as stable and start the count over.
    const pushClient = t.client({ retry: { initialDelayMs: 0 } })
    await flush()
    for (let i = 0; i < 4; i++) {
      t.fake.last().sink.open()
      t.fake.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(delays()[i]!)
    }
    expect(delays()).toEqual([250, 500, 1000, 2000])
    // A connection that stays open for 10 times the 250 ms floor is stable, as for 10 x initialDelayMs.
    t.fake.last().sink.open()
    await vi.advanceTimersByTimeAsync(2500)
    t.fake.last().sink.fail(network())
    expect(delays().at(-1)).toBe(250)
    pushClient.close()
  })

  it('closes after maxAttempts consecutive failures', async () => {
    const pushClient = t.client({ retry: { maxAttempts: 2 } })
    await flush()
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(1000)
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(2000)
    t.fake.last().sink.fail(network())
    expect(pushClient.state).toBe('closed')
    expect(pushClient.status.error?.code).toBe('network')
    expect(t.fake.opens).toHaveLength(3)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('never reconnects with retry: false', async () => {
    const pushClient = t.client({ retry: false })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.fail(network())
    expect(pushClient.state).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops for good on 204 (closed-by-server)', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(new PushError('closed-by-server', '204', { status: 204 }))
    await vi.advanceTimersByTimeAsync(60000)
    expect(pushClient.state).toBe('closed')
    expect(pushClient.status.error?.code).toBe('closed-by-server')
    expect(t.fake.opens).toHaveLength(1)
  })

  it('re-evaluates headers once after 401/403, then stops with auth', async () => {
    let token = 0
    const headers = vi.fn(async () => ({ Authorization: `Bearer ${++token}` }))
    const pushClient = t.client({ headers })
    await flush()
    expect(t.fake.last().request.headers).toEqual({ Authorization: 'Bearer 1' })
    t.fake.last().sink.fail(new PushError('auth', '401', { status: 401 }))
    // The retry waits only the floor every reconnect waits.
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', delayMs: 250 })
    await vi.advanceTimersByTimeAsync(250)
    expect(t.fake.opens).toHaveLength(2)
    expect(t.fake.last().request.headers).toEqual({ Authorization: 'Bearer 2' })
    t.fake.last().sink.fail(new PushError('auth', '403', { status: 403 }))
    await vi.advanceTimersByTimeAsync(60000)
    expect(pushClient.state).toBe('closed')
    expect(pushClient.status.error?.code).toBe('auth')
    expect(t.fake.opens).toHaveLength(2)
  })

  it('re-evaluates query before every connect', async () => {
    let n = 0
    const pushClient = t.client({ query: () => ({ token: `t${++n}` }) })
    await flush()
    expect(t.fake.last().request.url).toBe(`${URL}?token=t1`)
    expect(t.fake.last().request.websocketUrl).toBe('ws://127.0.0.1:1/stream?token=t1')
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.fake.last().request.url).toBe(`${URL}?token=t2`)
    pushClient.close()
  })

  it('counts an open that does not succeed within connectTimeoutMs as failed', async () => {
    const pushClient = t.client({ connectTimeoutMs: 5000 })
    await flush()
    await vi.advanceTimersByTimeAsync(5000)
    expect(t.fake.opens[0].closed).toBe(true)
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1 })
    expect(t.statuses.at(-1)?.error?.code).toBe('network')
    pushClient.close()
  })

  it('falls back to the next transport after fallbackAfter failed opens, keeping the resume point', async () => {
    const second = createFakeTransport('second')
    const pushClient = t.client({ transports: [t.fake.transport, second.transport], lastEventId: '5' })
    await flush()
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(1000)
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(2000)
    expect(t.fake.opens).toHaveLength(2)
    expect(second.opens).toHaveLength(1)
    expect(second.last().request.lastEventId()).toBe('5')
    second.last().sink.open()
    expect(pushClient.transport).toBe('second')
    pushClient.close()
  })

  describe('the transport that opened after a fallback, remembered for the next client on the url', () => {
    beforeEach(() => vi.stubGlobal('localStorage', createMemoryStorage()))
    afterEach(() => vi.unstubAllGlobals())

    async function fallBackToSecond(second: FakeTransport, proof = () => {}): Promise<void> {
      const first = t.client({ transports: [t.fake.transport, second.transport] })
      await flush()
      t.fake.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(1000)
      t.fake.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(2000)
      second.last().sink.open()
      proof()
      first.close()
    }

    it('never remembers a transport blind to comments, even once events flowed on it', async () => {
      // Native EventSource: a page load that started on it behind a buffering proxy (another
      // network, later) would open on the headers and hear nothing, with no transport that sees
      // bytes tried first to notice the held stream.
      const silent = createFakeTransport('silent', { seesComments: false })
      await fallBackToSecond(silent, () => {
        silent.last().sink.activity()
        silent.last().sink.event('pushwire:heartbeat', '')
        silent.last().sink.event('message', 'flowing')
      })
      const next = t.client({ transports: [t.fake.transport, silent.transport] })
      expect(next.transport).toBe('fake')
      next.close()
    })

    it('remembers the transport that opened past a held stream', async () => {
      const blind = createFakeTransport('blind', { seesComments: false })
      const third = createFakeTransport('third')
      const transports = [t.fake.transport, blind.transport, third.transport]
      const first = t.client({ transports, connectTimeoutMs: CONNECT_TIMEOUT_MS })
      await flush()
      await timeOut(t.fake, true)
      await timeOut(t.fake, true)
      third.last().sink.open()
      first.close()
      const next = t.client({ transports })
      expect(next.transport).toBe('third')
      next.close()
    })

    it('starts the next client on it, without paying the failed opens again', async () => {
      const second = createFakeTransport('second')
      await fallBackToSecond(second)
      const opensBefore = t.fake.opens.length
      t.statuses = []
      const next = t.client({ transports: [t.fake.transport, second.transport] })
      await flush()
      expect(t.fake.opens).toHaveLength(opensBefore)
      expect(second.opens).toHaveLength(2)
      expect(next.transport).toBe('second')
      next.close()
    })

    it('does not remember a move away from a transport that had worked here (the server restarted)', async () => {
      const second = createFakeTransport('second')
      const transports = [t.fake.transport, second.transport]
      const first = t.client({ transports })
      await flush()
      t.fake.last().sink.open()
      // The server goes away; its restart refuses the next two opens, and the client moves on.
      t.fake.last().sink.fail(network())
      for (let i = 0; i < 2; i++) {
        await vi.advanceTimersByTimeAsync(delays().at(-1)!)
        t.fake.last().sink.fail(network())
      }
      await vi.advanceTimersByTimeAsync(delays().at(-1)!)
      second.last().sink.open()
      expect(first.transport).toBe('second')
      first.close()
      const next = t.client({ transports })
      expect(next.transport).toBe('fake')
      next.close()
    })

    it('goes first for 30 minutes from when it was learned, however often it opens meanwhile', async () => {
      const minute = 60 * 1000
      const second = createFakeTransport('second')
      const transports = [t.fake.transport, second.transport]
      await fallBackToSecond(second)
      await vi.advanceTimersByTimeAsync(20 * minute)
      // A page used often: every load opens on the remembered transport.
      const reload = t.client({ transports })
      await flush()
      second.last().sink.open()
      reload.close()
      await vi.advanceTimersByTimeAsync(10 * minute - 1)
      const before = t.client({ transports })
      expect(before.transport).toBe('second')
      before.close()
      await vi.advanceTimersByTimeAsync(1)
      const after = t.client({ transports })
      expect(after.transport).toBe('fake')
      after.close()
    })

    it('forgets it once the first transport opens again', async () => {
      const second = createFakeTransport('second')
      await fallBackToSecond(second)
      const next = t.client({ transports: [t.fake.transport, second.transport] })
      await flush()
      second.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(1000)
      second.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(2000)
      t.fake.last().sink.open()
      next.close()
      const third = t.client({ transports: [t.fake.transport, second.transport] })
      expect(third.transport).toBe('fake')
      third.close()
    })
  })

  it('does not fall back when a transport that had opened drops', async () => {
    const second = createFakeTransport('second')
    const pushClient = t.client({ transports: [t.fake.transport, second.transport] })
    await flush()
    for (let i = 0; i < 3; i++) {
      t.fake.last().sink.open()
      t.fake.last().sink.fail(network())
      await vi.advanceTimersByTimeAsync(delays().at(-1)!)
    }
    expect(t.fake.opens).toHaveLength(4)
    expect(second.opens).toHaveLength(0)
    pushClient.close()
  })

  it('skips transports that are not supported here', async () => {
    const unsupported = createFakeTransport('unsupported', { supported: false })
    const pushClient = t.client({ transports: [unsupported.transport, t.fake.transport] })
    await flush()
    expect(unsupported.opens).toHaveLength(0)
    expect(t.fake.opens).toHaveLength(1)
    pushClient.close()
  })
})

describe('fallback after a stream sent its headers and held its body (a buffering proxy)', () => {
  let blind: FakeTransport
  let third: FakeTransport
  beforeEach(() => {
    blind = createFakeTransport('blind', { seesComments: false })
    third = createFakeTransport('third')
  })
  const client = () =>
    t.client({ transports: [t.fake.transport, blind.transport, third.transport], connectTimeoutMs: CONNECT_TIMEOUT_MS })
  const tried = () => t.statuses.filter((s) => s.state === 'connecting').map((s) => s.transport)

  it('passes over transports blind to bytes until the next connect()', async () => {
    const pushClient = client()
    await flush()
    await timeOut(t.fake, true)
    await timeOut(t.fake, true)
    expect(tried()).toEqual(['fake', 'fake', 'third'])
    // Round the list once more, with no held stream this time.
    await timeOut(third, false)
    await timeOut(third, false)
    await timeOut(t.fake, false)
    await timeOut(t.fake, false)
    expect(tried()).toEqual(['fake', 'fake', 'third', 'third', 'fake', 'fake', 'third'])
    expect(blind.opens).toHaveLength(0)
    pushClient.close()
    pushClient.connect()
    await flush()
    await timeOut(t.fake, false)
    await timeOut(t.fake, false)
    expect(blind.opens).toHaveLength(1)
    pushClient.close()
  })

  it('still tries them after opens that failed before any headers came', async () => {
    const pushClient = client()
    await flush()
    await timeOut(t.fake, false)
    await timeOut(t.fake, false)
    expect(tried()).toEqual(['fake', 'fake', 'blind'])
    pushClient.close()
  })

  it('does not take the activity of an earlier connection for headers', async () => {
    const pushClient = client()
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(delays().at(-1)!)
    await timeOut(t.fake, false)
    await timeOut(t.fake, false)
    expect(blind.opens).toHaveLength(1)
    pushClient.close()
  })

  it('takes no hint from a transport blind to bytes', async () => {
    const other = createFakeTransport('other-blind', { seesComments: false })
    const pushClient = t.client({
      transports: [blind.transport, other.transport, t.fake.transport],
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    })
    await flush()
    await timeOut(blind, true)
    await timeOut(blind, true)
    expect(other.opens).toHaveLength(1)
    pushClient.close()
  })
})

describe('heartbeat watchdog', () => {
  it('reopens a connection that stays silent for heartbeatTimeoutMs', async () => {
    const pushClient = t.client({ heartbeatTimeoutMs: 45000 })
    await flush()
    t.fake.last().sink.open()
    await vi.advanceTimersByTimeAsync(30000)
    t.fake.last().sink.activity()
    await vi.advanceTimersByTimeAsync(44999)
    expect(pushClient.state).toBe('open')
    await vi.advanceTimersByTimeAsync(1)
    expect(t.statuses.at(-1)?.error?.code).toBe('heartbeat')
    expect(t.fake.opens[0].closed).toBe(true)
    pushClient.close()
  })

  it.each([
    ['a transport whose comments are invisible (native EventSource)', 'transport'],
    ['a connection that says it sees no comments (a WebSocket format other than SSE)', 'connection'],
  ])('arms only after the first heartbeat on %s', async (_, where) => {
    if (where === 'transport') t.fake = createFakeTransport('es', { seesComments: false })
    const pushClient = t.client({ heartbeatTimeoutMs: 1000 })
    await flush()
    t.fake.last().sink.open(where === 'transport' ? undefined : false)
    await vi.advanceTimersByTimeAsync(5000)
    expect(pushClient.state).toBe('open')
    t.fake.last().sink.activity()
    t.fake.last().sink.message('pushwire:heartbeat', '')
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.statuses.at(-1)?.error?.code).toBe('heartbeat')
    pushClient.close()
  })

  it("arms a connection that says it sees no comments on its own heartbeats only, not another transport's", async () => {
    // A WebSocket with websocketFormat 'text' may reach another server than the SSE url did.
    const socket = createFakeTransport('socket')
    const pushClient = t.client({ transports: [t.fake.transport, socket.transport], heartbeatTimeoutMs: 1000, fallbackAfter: 1 })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('pushwire:heartbeat', '')
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(delays().at(-1)!)
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(delays().at(-1)!)
    socket.last().sink.open(false)
    await vi.advanceTimersByTimeAsync(5000)
    expect(pushClient.state).toBe('open')
    expect(socket.opens).toHaveLength(1)
    socket.last().sink.activity()
    socket.last().sink.message('pushwire:heartbeat', '')
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', transport: 'socket', error: { code: 'heartbeat' } })
    pushClient.close()
  })

  it('times a reopened connection from its open once the server has sent heartbeat events', async () => {
    t.fake = createFakeTransport('es', { seesComments: false })
    const pushClient = t.client({ heartbeatTimeoutMs: 1000 })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('pushwire:heartbeat', '')
    t.fake.last().sink.fail(network())
    await vi.advanceTimersByTimeAsync(1000)
    t.fake.last().sink.open()
    expect(t.fake.opens).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', error: { code: 'heartbeat' } })
    pushClient.close()
  })
})

