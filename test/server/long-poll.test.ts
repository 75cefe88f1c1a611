import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wait'
import { closeServers, fetchText, openStream, startServer } from './helpers'

afterEach(closeServers)

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('long-poll', () => {
  it('hands a client without lastEventId its cursor at once', async () => {
    const { port, push } = await startServer()
    const first = await fetchText(port, '/stream?transport=long-poll')
    expect(first.status).toBe(200)
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(first.body).toBe('event: pushwire:heartbeat\nid: 0\ndata\n\n')
    push.publish({ data: 'a' })
    push.publish({ data: 'b' })
    await tick()
    expect((await fetchText(port, '/stream?transport=long-poll')).body).toBe('event: pushwire:heartbeat\nid: 2\ndata\n\n')
  })

  it('answers at once with every event after lastEventId, in one body', async () => {
    const { port, push } = await startServer()
    for (let i = 1; i <= 4; i++) push.publish({ event: 'n', data: String(i) })
    await tick()
    const reply = await fetchText(port, '/stream?transport=long-poll&lastEventId=2')
    expect(reply.body).toBe('event: n\nid: 3\ndata: 3\n\nevent: n\nid: 4\ndata: 4\n\n')
  })

  it('holds the request, headers sent, until the next publish', async () => {
    const { port, push } = await startServer()
    const poll = await openStream(port, '/stream?transport=long-poll&lastEventId=0', {})
    // The response has started (status and headers are here) but carries nothing yet.
    expect(poll.status).toBe(200)
    await waitFor(() => push.clientCount === 1, 'held poll counted')
    expect(poll.text).toBe('')
    push.publish({ data: 'first' })
    push.publish({ data: 'second' })
    await poll.ended
    expect(poll.text).toBe('id: 1\ndata: first\n\nid: 2\ndata: second\n\n')
    expect(push.clientCount).toBe(0)
  })

  it('ends a held poll with a comment after pollTimeoutMs', async () => {
    const { port, push } = await startServer({ pollTimeoutMs: 30 })
    const reply = await fetchText(port, '/stream?transport=long-poll&lastEventId=0')
    expect(reply.status).toBe(200)
    expect(reply.body).toBe(':\n\n')
    expect(push.clientCount).toBe(0)
  })

  it('resets a client whose resume point is gone; the ids of what follows are its cursor', async () => {
    const { port, push } = await startServer({ bufferSize: 2 })
    for (let i = 1; i <= 3; i++) push.publish({ data: `e${i}` })
    await tick()
    expect((await fetchText(port, '/stream?transport=long-poll&lastEventId=1')).body).toBe(
      'event: pushwire:reset\ndata: {"lastEventId":"1"}\n\n' + 'id: 2\ndata: e2\n\nid: 3\ndata: e3\n\n',
    )
  })

  it('resets a client of a restarted server (nothing published yet) without looping on its old id', async () => {
    const { port } = await startServer()
    expect((await fetchText(port, '/stream?transport=long-poll&lastEventId=57')).body).toBe(
      'event: pushwire:reset\ndata: {"lastEventId":"57"}\n\nevent: pushwire:heartbeat\nid: 0\ndata\n\n',
    )
  })

  it('starts every answer with retry: when retryMs is set', async () => {
    const { port } = await startServer({ retryMs: 700 })
    expect((await fetchText(port, '/stream?transport=long-poll')).body).toBe('retry: 700\n\nevent: pushwire:heartbeat\nid: 0\ndata\n\n')
  })

  it('forgets a held poll whose client went away', async () => {
    const { port, push } = await startServer()
    const poll = await openStream(port, '/stream?transport=long-poll&lastEventId=0', {})
    await waitFor(() => push.clientCount === 1, 'held poll counted')
    poll.close()
    await waitFor(() => push.clientCount === 0, 'held poll forgotten')
  })

  it('close() answers held polls instead of leaving them hanging', async () => {
    const { port, push } = await startServer()
    const poll = await openStream(port, '/stream?transport=long-poll&lastEventId=0', {})
    await waitFor(() => push.clientCount === 1, 'held poll counted')
    await push.close()
    await poll.ended
    expect(poll.text).toBe(':\n\n')
  })
})
