// Type-level tests: checked by `npm run typecheck` (tsc), never run by vitest (the unit
// project picks up *.test.ts only), so nothing here has to be callable outside a component.
import { describe, expectTypeOf, it } from 'vitest'
import type { Readable } from 'svelte/store'
import { createPushClient, type AnyPushMessage, type PushClient, type PushMessage } from '../../src/index'
import { usePush as useReactPush, usePushEvent, usePushMessage } from '../../src/react/index'
import { usePush as useVuePush, usePushEvent as useVuePushEvent } from '../../src/vue/index'
import { pushClient, pushMessage } from '../../src/svelte/index'

type Dish = { name: string; sales: number }

// Interfaces get no implicit index signature, which is what users write first.
interface DishEvents {
  dish: Dish
  order: { total: number }
}

type DishEventsAlias = {
  dish: Dish
}

const options = { url: '/stream', decode: 'json', lazy: true } as const

describe('an interface event map', () => {
  it('types createPushClient listeners', () => {
    const client = createPushClient<DishEvents>(options)
    expectTypeOf(client).toEqualTypeOf<PushClient<DishEvents>>()
    client.on('dish', (m) => {
      expectTypeOf(m).toEqualTypeOf<PushMessage<Dish, 'dish'>>()
      // @ts-expect-error sales is a number
      const sales: string = m.data.sales
      return sales
    })
    client.on('order', (m) => expectTypeOf(m.data.total).toBeNumber())
  })

  it('gives a * listener the union of the declared messages', () => {
    const client = createPushClient<DishEvents>(options)
    client.on('*', (m) => {
      expectTypeOf(m).toEqualTypeOf<AnyPushMessage<DishEvents>>()
      expectTypeOf(m.type).toEqualTypeOf<'dish' | 'order' | 'message' | 'pushwire:reset'>()
      if (m.type === 'dish') expectTypeOf(m.data).toEqualTypeOf<Dish>()
    })
  })

  it('keeps message and pushwire:reset subscribable, with unknown data', () => {
    const client = createPushClient<DishEvents>(options)
    client.on('message', (m) => expectTypeOf(m.data).toBeUnknown())
    client.on('pushwire:reset', (m) => expectTypeOf(m.data).toBeUnknown())
  })

  it('types the React hooks', () => {
    const { client, lastMessage } = useReactPush<DishEvents, 'dish'>(options, 'dish')
    expectTypeOf(lastMessage).toEqualTypeOf<PushMessage<Dish, 'dish'> | undefined>()
    usePushEvent(client, 'dish', (m) => expectTypeOf(m.data).toEqualTypeOf<Dish>())
    usePushEvent(client, 'pushwire:reset', (m) => expectTypeOf(m.data).toBeUnknown())
    expectTypeOf(usePushMessage(client, 'order')).toEqualTypeOf<PushMessage<{ total: number }, 'order'> | undefined>()
    // @ts-expect-error 'dsh' is not a declared event type
    usePushEvent(client, 'dsh', () => {})
  })

  it('types the Vue composables', () => {
    const { client, data } = useVuePush<DishEvents, 'dish'>(options, { type: 'dish' })
    expectTypeOf(data.value).toEqualTypeOf<Dish | undefined>()
    useVuePushEvent(client, 'order', (m) => expectTypeOf(m.data).toEqualTypeOf<{ total: number }>())
    // @ts-expect-error 'dsh' is not a declared event type
    useVuePush<DishEvents, 'dsh'>(options, { type: 'dsh' })
  })

  it('types the Svelte stores', () => {
    const client = pushClient<DishEvents>(options)
    expectTypeOf(pushMessage(client, 'dish')).toEqualTypeOf<Readable<PushMessage<Dish, 'dish'> | undefined>>()
    expectTypeOf(pushMessage(createPushClient<DishEvents>(options), 'order')).toEqualTypeOf<
      Readable<PushMessage<{ total: number }, 'order'> | undefined>
    >()
    // @ts-expect-error 'dsh' is not a declared event type
    pushMessage(client, 'dsh')
  })
})

describe('a type alias event map', () => {
  it('types listeners as before', () => {
    createPushClient<DishEventsAlias>(options).on('dish', (m) => expectTypeOf(m.data).toEqualTypeOf<Dish>())
    const { lastMessage } = useReactPush<DishEventsAlias, 'dish'>(options, 'dish')
    expectTypeOf(lastMessage).toEqualTypeOf<PushMessage<Dish, 'dish'> | undefined>()
  })
})

describe('the default event map', () => {
  it('accepts any event type, with unknown data', () => {
    const client = createPushClient(options)
    client.on('anything', (m) => {
      expectTypeOf(m.data).toBeUnknown()
      expectTypeOf(m.type).toBeString()
    })
    client.on('*', (m) => expectTypeOf(m.data).toBeUnknown())
    const { lastMessage } = useReactPush(options, 'anything')
    expectTypeOf(lastMessage).toEqualTypeOf<PushMessage<unknown, 'anything'> | undefined>()
    expectTypeOf(useVuePush(options, { type: 'anything' }).data.value).toBeUnknown()
    expectTypeOf(pushMessage(pushClient(options), 'anything')).toEqualTypeOf<
      Readable<PushMessage<unknown, 'anything'> | undefined>
    >()
  })
})
