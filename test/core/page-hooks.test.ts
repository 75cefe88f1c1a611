// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { PushError } from '../../src/errors'
import { flush, setupFakeClientTests } from '../client/fake-transport'

const t = setupFakeClientTests('/stream')
let online: boolean
let visibility: DocumentVisibilityState

function setVisibility(next: DocumentVisibilityState) {
  visibility = next
  document.dispatchEvent(new Event('visibilitychange'))
}

beforeEach(() => {
  online = true
  visibility = 'visible'
  vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online)
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility)
})

describe('in a page', () => {
  it('resolves a relative url against location', async () => {
    const pushClient = t.client()
    await flush()
    expect(t.fake.last().request.url).toBe(new URL('/stream', location.href).href)
    pushClient.close()
  })

  it('does not spin while offline and reconnects at once when back online', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    online = false
    window.dispatchEvent(new Event('offline'))
    t.fake.last().sink.fail(new PushError('network', 'gone'))
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1 })
    await vi.advanceTimersByTimeAsync(120000)
    expect(t.fake.opens).toHaveLength(1)
    online = true
    window.dispatchEvent(new Event('online'))
    await flush()
    expect(t.fake.opens).toHaveLength(2)
    pushClient.close()
  })

  it('cuts a pending backoff short when the browser comes back online', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.fail(new PushError('network', 'gone'))
    t.fake.opens.length = 0
    window.dispatchEvent(new Event('online'))
    await flush()
    expect(t.fake.opens).toHaveLength(1)
    pushClient.close()
  })

  it('checks the watchdog against the clock as soon as the page is visible again', async () => {
    const pushClient = t.client({ heartbeatTimeoutMs: 45000 })
    await flush()
    t.fake.last().sink.open()
    // A background tab: the clock moves on but throttled timers have not fired.
    vi.setSystemTime(Date.now() + 60000)
    setVisibility('visible')
    expect(t.statuses.at(-1)?.error?.code).toBe('heartbeat')
    pushClient.close()
  })

  it('pauses while hidden with pauseWhenHidden and resumes from the last id', async () => {
    const pushClient = t.client({ pauseWhenHidden: true })
    await flush()
    t.fake.last().sink.open()
    t.fake.last().sink.event('message', '', '12')
    setVisibility('hidden')
    expect(t.fake.last().closed).toBe(true)
    expect(pushClient.state).toBe('idle')
    expect(vi.getTimerCount()).toBe(0)
    setVisibility('visible')
    await flush()
    expect(t.fake.opens).toHaveLength(2)
    expect(t.fake.last().request.lastEventId()).toBe('12')
    pushClient.close()
  })

  it('counts a connection paused after initialDelayMs * 10 as stable', async () => {
    const pushClient = t.client({ pauseWhenHidden: true, retry: { maxAttempts: 1 } })
    await flush()
    t.fake.last().sink.fail(new PushError('network', 'gone'))
    await vi.advanceTimersByTimeAsync(1000)
    t.fake.last().sink.open()
    await vi.advanceTimersByTimeAsync(20000)
    setVisibility('hidden')
    setVisibility('visible')
    await flush()
    t.fake.last().sink.fail(new PushError('network', 'gone'))
    expect(t.statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 1, delayMs: 1000 })
    pushClient.close()
  })

  it('keeps the connection while hidden without pauseWhenHidden', async () => {
    const pushClient = t.client()
    await flush()
    t.fake.last().sink.open()
    setVisibility('hidden')
    expect(pushClient.state).toBe('open')
    pushClient.close()
  })

  it('removes its page listeners on close()', async () => {
    const removedFromWindow = vi.spyOn(window, 'removeEventListener')
    const removedFromDocument = vi.spyOn(document, 'removeEventListener')
    const pushClient = t.client({ pauseWhenHidden: true })
    await flush()
    pushClient.close()
    expect(removedFromWindow.mock.calls.map((call) => call[0]).sort()).toEqual(['offline', 'online'])
    expect(removedFromDocument.mock.calls.map((call) => call[0])).toEqual(['visibilitychange'])
    setVisibility('hidden')
    setVisibility('visible')
    window.dispatchEvent(new Event('online'))
    await flush()
    expect(t.fake.opens).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
