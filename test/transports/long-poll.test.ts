import { describe, expect, it } from 'vitest'
import { longPollTransport } from '../../src/transports/long-poll'
import type { TransportEnv } from '../../src/types'
import { createRecordingSink, createXhrShim, waitFor, type RecordingSink, type TestRequest } from '../helpers'
import { closingOnFirstEvent, followIds, spyFetch, transportRequest, useTransportHarness, type RequestOverrides } from './harness'
import { afterQueuedTimers, registerTransportTests } from './suite'

const harness = useTransportHarness(longPollTransport)
const close = harness.close
const ENVS: Array<[string, () => TransportEnv]> = [
  ['fetch', () => ({ fetch })],
  ['XMLHttpRequest', () => ({ XMLHttpRequest: createXhrShim().XMLHttpRequest })],
]

for (const [name, env] of ENVS) {
  registerTransportTests(harness, {
    label: `long-poll over ${name}`,
    transport: longPollTransport,
    env,
    kind: 'http',
    resumeIn: 'query',
    sendsHeaders: true,
    seesStatus: true,
    ownReader: true,
    boundsSize: true,
    byteChunks: true,
    end: { is: 'next-poll' },
  })
}

/** The next poll, answered with a complete event-stream body. */
async function answer(body: string): Promise<TestRequest> {
  const poll = await harness.server.nextRequest()
  poll.stream()
  await poll.end(body)
  return poll
}

/**
 * A long-poll server that never ends a response: each poll gets every event after its
 * `lastEventId`, each event split across two writes, and is then held open. `onPoll` runs as
 * each poll arrives, before anything is written to it.
 */
async function serveWithoutEnding(ids: string[], onPoll: (poll: TestRequest) => void): Promise<void> {
  for (;;) {
    const poll = (await harness.server.nextRequest()).stream()
    onPoll(poll)
    let connected = true
    void poll.closed.then(() => (connected = false))
    const after = ids.indexOf(poll.query.get('lastEventId') || '') + 1
    for (const id of ids.slice(after)) {
      const event = `id: ${id}\ndata: event ${id}\n\n`
      for (const half of [event.slice(0, 9), event.slice(9)]) {
        // The client may cut the poll while a write is on its way; that write then fails.
        if (connected) await poll.write(half).catch(() => {})
      }
    }
  }
}

describe.each(ENVS)('long-poll transport over %s', (_name, makeEnv) => {
  function open(overrides: RequestOverrides = {}) {
    const recorded = createRecordingSink()
    const request = transportRequest(harness.server.url(), makeEnv(), overrides)
    harness.openWith(request, followIds(request, recorded.sink))
    return recorded
  }

  it('opens when the first poll answers 200 with an event stream, before any body', async () => {
    const recorded = open()
    const poll = await harness.server.nextRequest()
    expect(recorded.opens).toBe(0)
    poll.stream()
    await recorded.until((r) => r.opens === 1, 'open')
    expect(recorded.kinds()).toEqual(['open'])
  })

  it('polls with transport=long-poll', async () => {
    open()
    const poll = await harness.server.nextRequest()
    expect(poll.query.get('transport')).toBe('long-poll')
  })

  it('re-polls at once with the advanced cursor and loses nothing between polls', async () => {
    const recorded = open()
    await answer('event: pushwire:heartbeat\nid: 10\ndata\n\n')
    const second = await answer('id: 11\ndata: a\n\nretry: 3000\nid: 12\nevent: dish\ndata: b\n\n')
    expect(second.query.get('lastEventId')).toBe('10')
    const third = await answer(': nothing new\n\n')
    expect(third.query.get('lastEventId')).toBe('12')
    const fourth = await answer('id: 13\ndata: c\n\n')
    expect(fourth.query.get('lastEventId')).toBe('12')
    const fifth = await harness.server.nextRequest()
    expect(fifth.query.get('lastEventId')).toBe('13')

    expect(recorded.events).toEqual([
      { type: 'pushwire:heartbeat', data: '', id: '10' },
      { type: 'message', data: 'a', id: '11' },
      { type: 'dish', data: 'b', id: '12' },
      { type: 'message', data: 'c', id: '13' },
    ])
    expect(recorded.calls).toContainEqual({ kind: 'retry', ms: 3000 })
    expect(recorded.kinds().filter((kind) => kind === 'open')).toHaveLength(1)
  })

  it('discards an unterminated last event of a poll body', async () => {
    const recorded = open()
    await answer('id: 1\ndata: whole\n\nid: 2\ndata: cut off\n')
    const next = await harness.server.nextRequest()
    expect(next.query.get('lastEventId')).toBe('1')
    expect(recorded.events.map((e) => e.data)).toEqual(['whole'])
  })

  it('reports events of a poll while its body is still streaming', async () => {
    const recorded = open()
    const poll = (await harness.server.nextRequest()).stream()
    await poll.write('data: early\n\n')
    await recorded.until((r) => r.events.length === 1, 'the first event before the poll ends')
    await poll.end('data: late\n\n')
    await recorded.until((r) => r.events.length === 2, 'the second event')
  })

  it('fails a later poll the same way, after having opened', async () => {
    const recorded = open()
    await answer('id: 1\ndata: a\n\n')
    ;(await harness.server.nextRequest()).respond(503, { 'Retry-After': '2' })
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
    expect(recorded.errors[0]).toMatchObject({ code: 'http', status: 503, retryAfterMs: 2000 })
  })

  it('close() aborts a later poll in flight and polls no more', async () => {
    const recorded = open()
    await answer('id: 1\ndata: a\n\n')
    const held = (await harness.server.nextRequest()).stream()
    close(recorded)
    harness.connection.close() // idempotent
    await held.closed
    expect(held.aborted).toBe(true)
    await afterQueuedTimers()
    expect(harness.server.requests).toHaveLength(2)
    expect(recorded.late).toEqual([])
  })

  it('stops events and polling when a listener closes it in a body that then ends', async () => {
    const recorded = createRecordingSink()
    const request = transportRequest(harness.server.url(), makeEnv())
    harness.openWith(request, closingOnFirstEvent(harness, recorded))
    await answer('data: last\n\ndata: never\n\n')
    // The body crosses real loopback HTTP: wait for it, then for anything it scheduled.
    await recorded.until((r) => r.events.length > 0, 'first event')
    await afterQueuedTimers()
    expect(recorded.events.map((e) => e.data)).toEqual(['last'])
    expect(harness.server.requests).toHaveLength(1)
    expect(recorded.late).toEqual([])
  })
})

describe('long-poll transport', () => {
  it('prefers fetch when both are there', async () => {
    const shim = createXhrShim()
    const recorded = harness.open({ fetch, XMLHttpRequest: shim.XMLHttpRequest })
    ;(await harness.server.nextRequest()).stream()
    await recorded.until((r) => r.opens === 1, 'open')
    expect(shim.instances).toHaveLength(0)
  })

  it('asks fetch for credentials with withCredentials, uncached and abortable', async () => {
    const spy = spyFetch()
    harness.open({ fetch: spy.fetch }, { withCredentials: true })
    await harness.server.nextRequest()
    expect(spy.calls[0].init).toMatchObject({ credentials: 'include', cache: 'no-store' })
    expect(spy.calls[0].init.signal).toBeInstanceOf(AbortSignal)
  })

  it('sets withCredentials on the XMLHttpRequest after open(), as IE10/11 demand', async () => {
    const shim = createXhrShim()
    harness.open({ XMLHttpRequest: shim.XMLHttpRequest }, { withCredentials: true })
    await harness.server.nextRequest()
    expect(shim.instances[0].withCredentials).toBe(true)
    expect(shim.instances[0].requestHeaders).toMatchObject({ Accept: 'text/event-stream' })
  })

  it('ends an XMLHttpRequest poll whose body passes its cap and re-polls from the last complete event', async () => {
    const shim = createXhrShim()
    const recorded = createRecordingSink()
    // The server below sends far more than a few times maxMessageBytes in one response.
    const request = transportRequest(harness.server.url(), { XMLHttpRequest: shim.XMLHttpRequest }, { maxMessageBytes: 64 })
    harness.openWith(request, followIds(request, recorded.sink))
    const ids = Array.from({ length: 100 }, (_, i) => String(i + 1))
    const resumedFrom: Array<{ asked: string | null; delivered: string | undefined }> = []
    void serveWithoutEnding(ids, (poll) =>
      resumedFrom.push({ asked: poll.query.get('lastEventId'), delivered: recorded.events.at(-1)?.id }),
    )

    await recorded.until((r) => r.events.some((event) => event.id === '100'), 'the last event')
    expect(recorded.events).toEqual(ids.map((id) => ({ type: 'message', data: `event ${id}`, id })))
    expect(recorded.errors).toEqual([])
    expect(harness.server.requests.length).toBeGreaterThan(1)
    await harness.server.requests[0].closed
    expect(harness.server.requests[0].aborted).toBe(true)
    expect(resumedFrom[1].asked).not.toBeNull()
    // Every re-poll resumes from the last event the previous one delivered in full.
    for (const { asked, delivered } of resumedFrom.slice(1)) expect(asked).toBe(delivered)
  })

  it('re-polls through the event loop, never in a microtask chain, when polls return at once', async () => {
    let polls = 0
    const instantFetch: typeof fetch = () => {
      polls++
      return Promise.resolve(new Response('', { status: 200, headers: { 'Content-Type': 'text/event-stream' } }))
    }
    const recorded: RecordingSink = harness.open({ fetch: instantFetch })
    for (let i = 0; i < 100; i++) await Promise.resolve()
    expect(polls).toBe(1)
    await waitFor(() => polls >= 5, 'four more polls, one per macrotask')
    // Between two polls (the next one is a queued timer), close() must cancel it.
    const atClose = polls
    close(recorded)
    await afterQueuedTimers()
    expect(polls).toBe(atClose)
    expect(recorded.late).toEqual([])
  })
})
