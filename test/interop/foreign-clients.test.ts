import { EventSource } from 'eventsource'
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createPushServer, type PushServer } from '../../src/server/index'
import { waitFor } from '../helpers/wait'
import { closeServer, listenOnLoopback } from './fixtures/listen'

// pushwire/server with an SSE client this project did not write: the `eventsource` package
// (a WHATWG EventSource for Node), which reconnects by itself and resumes with the
// Last-Event-ID header, as browsers do.

let http: Server | undefined
let push: PushServer | undefined
let source: EventSource | undefined

afterEach(async () => {
  source?.close()
  await push?.close()
  if (http) await closeServer(http)
  http = push = source = undefined
})

async function start(): Promise<string> {
  // retryMs: the client's own reconnect waits this long, not its default of seconds.
  push = createPushServer({ retryMs: 50 })
  http = createServer(push.handler)
  const { port } = await listenOnLoopback(http)
  return `http://127.0.0.1:${port}/stream`
}

interface Received {
  type: string
  data: string
  id: string
}

function listen(url: string, types: string[]): Received[] {
  const received: Received[] = []
  source = new EventSource(url)
  for (const type of types) {
    source.addEventListener(type, (event) => received.push({ type, data: event.data, id: event.lastEventId }))
  }
  return received
}

describe('pushwire/server with the eventsource package', () => {
  it('delivers events, named ones included, with their ids', async () => {
    const url = await start()
    const received = listen(url, ['message', 'dish'])
    await waitFor(() => push?.clientCount === 1, 'the connection')
    await push!.publish({ data: 'hello' })
    await push!.publish({ event: 'dish', data: '{"name":"mapo tofu"}' })
    await waitFor(() => received.length === 2, 'two events')
    expect(received).toEqual([
      { type: 'message', data: 'hello', id: '1' },
      { type: 'dish', data: '{"name":"mapo tofu"}', id: '2' },
    ])
  })

  it('resumes after the server drops the connection: the missed events once, none twice', async () => {
    const url = await start()
    const received = listen(url, ['message'])
    await waitFor(() => push?.clientCount === 1, 'the connection')
    await push!.publish({ data: 'a' })
    await push!.publish({ data: 'b' })
    await waitFor(() => received.length === 2, 'two events')
    http!.closeAllConnections()
    await waitFor(() => push?.clientCount === 0, 'the drop')
    await push!.publish({ data: 'c' })
    await push!.publish({ data: 'd' })
    await waitFor(() => received.length === 4, 'the replay')
    await push!.publish({ data: 'e' })
    await waitFor(() => received.length === 5, 'the next live event')
    expect(received.map((event) => event.data)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(received.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5'])
  })
})
