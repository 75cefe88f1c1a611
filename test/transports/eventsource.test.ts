import { describe, expect, it } from 'vitest'
import { eventSourceTransport } from '../../src/transports/eventsource'
import { createEventSourceShim, createRecordingSink, type EventSourceShim, type RecordingSink } from '../helpers'
import { closingOnFirstEvent, transportRequest, useTransportHarness, type RequestOverrides } from './harness'

// Node 20 has no EventSource: these tests run the transport against a network-backed stand-in
// (see test/helpers/event-source-shim.ts); the browser suite covers the real one.
const harness = useTransportHarness(eventSourceTransport)
const close = harness.close

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

  it('is supported with an EventSource implementation and no headers', () => {
    const { EventSource } = createEventSourceShim()
    expect(eventSourceTransport.isSupported({ env: { EventSource }, hasHeaders: false })).toBe(true)
    expect(eventSourceTransport.isSupported({ env: { EventSource }, hasHeaders: true })).toBe(false)
    expect(eventSourceTransport.isSupported({ env: {}, hasHeaders: false })).toBe(false)
  })

  it('connects with transport=eventsource, withCredentials, and no resume point on a fresh start', async () => {
    const { shim } = open({ withCredentials: true })
    const request = await harness.server.nextRequest()
    expect(request.query.get('transport')).toBe('eventsource')
    expect(request.query.get('lastEventId')).toBeNull()
    expect(shim.instances[0].withCredentials).toBe(true)
  })

  it('carries the resume point in the query under lastEventIdParam', async () => {
    open({ lastEventId: '41', lastEventIdParam: 'since' })
    const request = await harness.server.nextRequest()
    expect(request.query.get('since')).toBe('41')
  })

  it('opens on the native open event', async () => {
    const { recorded } = open()
    const request = await harness.server.nextRequest()
    expect(recorded.opens).toBe(0)
    request.stream()
    await recorded.until((r) => r.opens === 1, 'open')
    expect(recorded.activity).toBeGreaterThan(0)
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

  it('closes the native EventSource and fails once when the stream drops, so the browser never reconnects', async () => {
    const { recorded, request, source } = await openStream()
    await request.end('data: last\n\n')
    await recorded.until((r) => r.errors.length > 0, 'fail')
    expect(recorded.kinds()).toEqual(['open', 'event', 'fail'])
    expect(recorded.errors[0].code).toBe('network')
    expect(recorded.errors[0].message).toContain('lost its connection')
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

  it('close() closes the EventSource, removes its listeners and reports nothing more', async () => {
    const { recorded, request, source } = await openStream()
    close(recorded)
    harness.connection.close() // idempotent
    await request.closed
    expect(request.aborted).toBe(true)
    expect(source.closeCalls).toBe(1)
    expect(source.listenedTypes()).toEqual([])
    harness.connection.listen?.('dish')
    expect(source.listenedTypes()).toEqual([])
    expect(recorded.late).toEqual([])
  })

  it('stops at once when a listener closes it while more events are queued', async () => {
    const shim = createEventSourceShim()
    const recorded = createRecordingSink()
    const request = transportRequest(harness.server.url(), { EventSource: shim.EventSource })
    harness.openWith(request, closingOnFirstEvent(harness, recorded))
    const response = (await harness.server.nextRequest()).stream()
    await response.write('data: 1\n\ndata: 2\n\n')
    await response.closed
    expect(recorded.events.map((e) => e.data)).toEqual(['1'])
    expect(recorded.late).toEqual([])
  })
})
