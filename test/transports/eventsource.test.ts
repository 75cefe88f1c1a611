import { describe, expect, it } from 'vitest'
import { eventSourceTransport } from '../../src/transports/eventsource'
import { createEventSourceShim, type EventSourceShim, type RecordingSink } from '../helpers'
import { useTransportHarness, type RequestOverrides } from './harness'
import { registerTransportTests } from './suite'

// Node 20 has no EventSource: these tests run the transport against a network-backed stand-in
// (see test/helpers/event-source-shim.ts); the browser suite covers the real one.
const harness = useTransportHarness(eventSourceTransport)
const close = harness.close

registerTransportTests(harness, {
  label: 'eventsource',
  transport: eventSourceTransport,
  env: () => ({ EventSource: createEventSourceShim().EventSource }),
  kind: 'http',
  resumeIn: 'query',
  sendsHeaders: false,
  // The browser hides statuses and parses the stream itself; sizes are checked after it.
  seesStatus: false,
  ownReader: false,
  boundsSize: true,
  byteChunks: false,
  end: { is: 'failure', message: 'lost its connection' },
})

function open(overrides: RequestOverrides = {}): { recorded: RecordingSink; shim: EventSourceShim } {
  const shim = createEventSourceShim()
  const recorded = harness.open({ EventSource: shim.EventSource }, overrides)
  return { recorded, shim }
}

async function openStream(overrides: RequestOverrides = {}) {
  const opened = open(overrides)
  const request = (await harness.server.nextRequest()).stream()
  await opened.recorded.until((r) => r.opens === 1, 'open')
  return { ...opened, request, source: opened.shim.instances[0] }
}

describe('eventsource transport', () => {
  it('does not see comments, so the client waits for heartbeat events', () => {
    expect(eventSourceTransport.seesComments).toBe(false)
  })

  it('connects with transport=eventsource and withCredentials', async () => {
    const { shim } = open({ withCredentials: true })
    const request = await harness.server.nextRequest()
    expect(request.query.get('transport')).toBe('eventsource')
    expect(shim.instances[0].withCredentials).toBe(true)
  })

  it('opens on the native open event', async () => {
    const { recorded } = open()
    const request = await harness.server.nextRequest()
    expect(recorded.opens).toBe(0)
    request.stream()
    await recorded.until((r) => r.opens === 1, 'open')
    expect(recorded.activity).toBeGreaterThan(0)
    // Nothing passed on: the native event must not stand in for the sink's `seesComments`.
    expect(recorded.calls.find((call) => call.kind === 'open')).toEqual({ kind: 'open' })
  })

  it('reports message, reserved and subscribed types in order, and ids only where they change', async () => {
    const { recorded, request } = await openStream({ eventTypes: ['dish', 'message'] })
    await request.write(
      'event: pushwire:heartbeat\nid: 5\ndata\n\n' +
        'event: dish\ndata: mapo\n\n' +
        'event: unsubscribed\nid: 6\ndata: hidden\n\n' +
        'id: 7\ndata: a\n\n' +
        'event: pushwire:reset\ndata\n\n',
    )
    await recorded.until((r) => r.events.length === 4, 'four events')
    expect(recorded.events).toEqual([
      { type: 'pushwire:heartbeat', data: '', id: '5' },
      // lastEventId is still '5' on this MessageEvent: not this event's id.
      { type: 'dish', data: 'mapo', id: undefined },
      // The unsubscribed type never reached script, but its id moved lastEventId to '6'.
      { type: 'message', data: 'a', id: '7' },
      { type: 'pushwire:reset', data: '', id: undefined },
    ])
  })

  it('listen() adds a type while open, once however often it is asked', async () => {
    const { recorded, request, source } = await openStream()
    harness.connection.listen?.('dish')
    harness.connection.listen?.('dish')
    harness.connection.listen?.('message')
    expect(source.listenedTypes().sort()).toEqual(['dish', 'message', 'pushwire:heartbeat', 'pushwire:reset'])
    await request.write('event: dish\ndata: late subscriber\n\n')
    await recorded.until((r) => r.events.length === 1, 'the event')
    expect(recorded.events[0]).toMatchObject({ type: 'dish', data: 'late subscriber' })
  })

  it('treats a server event named error as data, not as a fault', async () => {
    const { recorded, request } = await openStream({ eventTypes: ['error'] })
    await request.write('event: error\ndata: app level\n\n')
    await recorded.until((r) => r.events.length === 1, 'the event')
    expect(recorded.kinds()).toEqual(['open', 'event'])
  })

  it("passes on no connection event to an app listening to types named open and error", async () => {
    const { recorded, request } = await openStream({ eventTypes: ['open', 'error'] })
    await request.write('event: open\ndata: app level\n\n')
    await recorded.until((r) => r.events.length === 1, 'the event')
    await request.end()
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
    expect(recorded.events[0]).toMatchObject({ type: 'open', data: 'app level' })
    expect(recorded.errors[0].message).toContain('lost its connection')
  })

  it('closes the native EventSource when the stream drops, so the browser never reconnects', async () => {
    const { recorded, request, source } = await openStream()
    await request.end('data: last\n\n')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(source.readyState).toBe(2)
    expect(source.closeCalls).toBe(1)
  })

  it('never delivers an event over maxMessageBytes: fails with too-large and closes the EventSource', async () => {
    const { recorded, request, source } = await openStream({ maxMessageBytes: 16 })
    await request.write('data: small\n\nid: 9\ndata: 0123456789abcdefg\n\ndata: after\n\n')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
    expect(recorded.events.map((event) => event.data)).toEqual(['small'])
    expect(recorded.errors[0].code).toBe('too-large')
    expect(source.closeCalls).toBe(1)
    await request.closed
    expect(recorded.late).toEqual([])
  })

  it('fails with network when the server refuses the stream', async () => {
    const { recorded, shim } = open()
    ;(await harness.server.nextRequest()).respond(500)
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['fail'])
    expect(recorded.errors[0].message).toContain('refused')
    expect(shim.instances[0].closeCalls).toBe(1)
  })

  it('close() closes the EventSource once and removes its listeners', async () => {
    const { recorded, source } = await openStream()
    close(recorded)
    harness.connection.close()
    expect(source.closeCalls).toBe(1)
    expect(source.listenedTypes()).toEqual([])
    harness.connection.listen?.('dish')
    expect(source.listenedTypes()).toEqual([])
    expect(recorded.late).toEqual([])
  })

})
