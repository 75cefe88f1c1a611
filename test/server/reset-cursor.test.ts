// A client that resumes from an id the server does not know (it restarted, nothing published
// since) is reset once, and is told where the stream stands so that it is not reset again on
// every reconnect. Every transport.
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { closeServers, openSocket, openStream, parseEvents, startServer } from './helpers'
import { routedClient, TRANSPORTS, type RoutedClient } from './routed-client'

const RESET = 'event: pushwire:reset\ndata: {"lastEventId":"57"}\n\n'
const CURSOR_AT_START = 'event: pushwire:heartbeat\nid: 0\ndata\n\n'

/** The id a client resumes from after reading `text`: the last one it saw, else the one it had. */
function resumeIdAfter(text: string, had: string): string {
  const ids = parseEvents(text).filter((event) => event.id !== undefined)
  return ids.length ? (ids[ids.length - 1].id as string) : had
}

afterEach(closeServers)

describe('a resume from an unknown id on a quiet stream', () => {
  it('SSE: the reset carries the cursor at the head, and a resume from it is not reset again', async () => {
    const { port, push } = await startServer()
    const first = await openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': '57' })
    expect(await first.until((text) => text.indexOf(CURSOR_AT_START) !== -1, 'the reset')).toBe(':ok\n\n' + RESET + CURSOR_AT_START)
    first.close()

    const second = await openStream(port, '/stream', { accept: 'text/event-stream', 'last-event-id': resumeIdAfter(first.text, '57') })
    await second.until((text) => text.startsWith(':ok\n\n'), 'opened')
    await push.publish({ data: 'next' })
    expect(await second.until((text) => text.indexOf('data: next') !== -1, 'the live event')).toBe(':ok\n\nid: 1\ndata: next\n\n')
    second.close()
  })

  it('WebSocket: the same', async () => {
    const { port, push } = await startServer({}, true)
    const first = await openSocket(port, '/stream?lastEventId=57')
    expect((await first.frameCount(2))[1]).toBe(RESET + CURSOR_AT_START)
    first.ws.close()

    const second = await openSocket(port, `/stream?lastEventId=${resumeIdAfter(first.frames.join(''), '57')}`)
    await second.frameCount(1)
    await push.publish({ data: 'next' })
    expect((await second.frameCount(2))[1]).toBe('id: 1\ndata: next\n\n')
    second.ws.close()
  })

  describe.each(TRANSPORTS)('the pushwire client over %s', (transport) => {
    let routed: RoutedClient | undefined
    afterEach(() => routed?.client.close())

    it('gets one pushwire:reset however often it reconnects, then the events', async () => {
      const { port, push } = await startServer({}, true)
      routed = routedClient(transport, `http://127.0.0.1:${port}`, { lastEventId: '57' })
      const client = routed.client
      const opens = () => routed!.statuses.filter((status) => status.state === 'open').length
      await waitFor(() => opens() === 1 && routed!.ids('pushwire:reset').length === 1, 'open and reset')
      for (let reconnects = 1; reconnects <= 2; reconnects++) {
        await waitFor(() => push.clientCount === 1, 'the client counted')
        push.disconnectAll()
        await waitFor(() => opens() === reconnects + 1 && push.clientCount === 1, 'open again')
      }
      await push.publish({ data: 'next' })
      await waitFor(() => routed!.ids().length === 1, 'the event')
      expect(routed.messages.map((message) => message.type)).toEqual(['pushwire:reset', 'message'])
      expect(client.state).toBe('open')
    })
  })
})
