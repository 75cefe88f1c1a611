import { describe, expect, it } from 'vitest'
import { createStatusFeed } from '../../src/core/status-feed'

describe('status feed', () => {
  it('delivers the statuses of the task that made it in a microtask, to listeners added in that task', async () => {
    const [publish, listen] = createStatusFeed<string>()
    publish('connecting')
    const seen: string[] = []
    listen((status) => seen.push(status))
    expect(seen).toEqual([])
    await Promise.resolve()
    expect(seen).toEqual(['connecting'])
    publish('open')
    expect(seen).toEqual(['connecting', 'open'])
  })

  it('holds a status published by a listener until the current one has reached every listener', async () => {
    const [publish, listen] = createStatusFeed<string>()
    await Promise.resolve()
    const first: string[] = []
    const second: string[] = []
    listen((status) => {
      first.push(status)
      // close() from a listener on 'reconnecting'.
      if (status === 'reconnecting') publish('closed')
    })
    listen((status) => second.push(status))
    publish('reconnecting')
    expect(first).toEqual(['reconnecting', 'closed'])
    expect(second).toEqual(['reconnecting', 'closed'])
  })

  it('stops delivering to a listener once it unsubscribed', async () => {
    const [publish, listen] = createStatusFeed<string>()
    const seen: string[] = []
    const off = listen((status) => seen.push(status))
    publish('connecting')
    await Promise.resolve()
    off()
    publish('open')
    expect(seen).toEqual(['connecting'])
  })
})
