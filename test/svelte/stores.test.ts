// @vitest-environment happy-dom
import { get, type Readable } from 'svelte/store'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { createPushClient, shareAcrossTabs, type PushClient, type PushMessage, type PushStatus } from '../../src/index'
import { pushClient, pushMessage, pushStatus } from '../../src/svelte/index'
import { settle, startPushServer, type DishEvents, type TestPushServer } from '../react/harness'
import { waitFor } from '../helpers'

let server: TestPushServer

beforeEach(async () => {
  server = await startPushServer()
})

afterEach(() => server.close())

/** Subscribes and records every value the store gives. */
function record<T>(store: Readable<T>) {
  const values: T[] = []
  const unsubscribe = store.subscribe((value) => void values.push(value))
  return { values, unsubscribe, latest: () => values[values.length - 1] }
}

describe('pushClient', () => {
  it('connects on the first subscriber, shares the connection, and closes after the last', async () => {
    const client = pushClient<DishEvents>(server.options())
    await settle()
    expect(server.sockets).toBe(0)

    const first = record(client)
    const second = record(client)
    await waitFor(() => first.latest().state === 'open')
    expect(second.latest()).toBe(first.latest())
    expect(server.sockets).toBe(1)

    first.unsubscribe()
    await settle()
    expect(first.latest().state).toBe('open')
    second.unsubscribe()
    expect(second.latest().state).toBe('closed')
    await waitFor(() => server.push.clientCount === 0)

    const again = record(client)
    await waitFor(() => again.latest().state === 'open')
    expect(server.sockets).toBe(2)
    again.unsubscribe()
  })

  it('opens nothing for a subscription that ends at once', async () => {
    const client = pushClient(server.options())
    expect(get(client).state).toBe('idle')
    await settle()
    expect(server.sockets).toBe(0)
    expect(get(pushStatus(client)).state).toBe('idle')
  })

  it('throws bad options where the store is made', () => {
    expect(() => pushClient({ ...server.options(), transports: [] })).toThrow(TypeError)
  })
})

describe('pushStatus', () => {
  it('follows the status of a pushClient store and connects it', async () => {
    const status = record(pushStatus(pushClient(server.options())))
    await waitFor(() => status.latest().state === 'open')
    expect(status.values.map((s: PushStatus) => s.state)).toEqual(['idle', 'connecting', 'open'])
    expect(status.latest().transport).toBe('websocket')
    status.unsubscribe()
    await waitFor(() => server.push.clientCount === 0)
  })

  it('follows a plain client without owning it', async () => {
    const client = createPushClient(server.options())
    const status = record(pushStatus(client))
    await waitFor(() => status.latest().state === 'open')
    status.unsubscribe()
    await settle()
    expect(client.state).toBe('open')
    client.close()
  })
})

describe('pushMessage', () => {
  it('holds the latest message of its type', async () => {
    const client = pushClient<DishEvents>(server.options())
    const dish = record(pushMessage(client, 'dish'))
    const status = record(pushStatus(client))
    expect(dish.latest()).toBeUndefined()
    await waitFor(() => status.latest().state === 'open')

    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await server.push.publish({ data: { text: 'not a dish' } })
    await server.push.publish({ event: 'dish', data: { name: 'pho', sales: 5 }, id: 'd9' })
    await waitFor(() => dish.values.length === 3)
    expect(dish.latest()).toMatchObject({ type: 'dish', data: { name: 'pho', sales: 5 }, id: 'd9' })

    dish.unsubscribe()
    status.unsubscribe()
    await waitFor(() => server.push.clientCount === 0)
  })

  it('is typed by the declared events', () => {
    const client = pushClient<DishEvents>(server.options())
    expectTypeOf(client).toEqualTypeOf<Readable<PushClient<DishEvents>>>()
    expectTypeOf(pushMessage(client, 'dish')).toEqualTypeOf<
      Readable<PushMessage<{ name: string; sales: number }, 'dish'> | undefined>
    >()
    // @ts-expect-error 'dsh' is not a declared event type
    const misspelled = () => pushMessage(client, 'dsh')
    expect(misspelled).toBeTypeOf('function')
  })
})

describe('pushClient with share', () => {
  it('shares one connection between stores made with the same options', async () => {
    const options = { ...server.options(), share: shareAcrossTabs() }
    const first = record(pushStatus(pushClient<DishEvents>(options)))
    const second = record(pushStatus(pushClient<DishEvents>(options)))
    await waitFor(() => first.latest().state === 'open' && second.latest().state === 'open')
    expect([first.latest().role, second.latest().role].sort()).toEqual(['follower', 'leader'])
    expect(server.sockets).toBe(1)
    first.unsubscribe()
    second.unsubscribe()
    await waitFor(() => server.push.clientCount === 0)
  })
})
