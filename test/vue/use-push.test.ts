// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { defineComponent, effectScope, h, nextTick, ref, shallowRef } from 'vue'
import { isPushError, shareAcrossTabs, type PushClient, type PushClientOptions, type PushMessage } from '../../src/index'
import { usePush, usePushEvent } from '../../src/vue/index'
import { settle, startPushServer, type DishEvents, type TestPushServer } from '../react/harness'
import { waitFor } from '../helpers'

let server: TestPushServer
let received: string[]

beforeEach(async () => {
  received = []
  server = await startPushServer({ onMessage: (data: string) => void received.push(data) })
})

afterEach(() => server.close())

const Dashboard = defineComponent({
  props: { room: { type: String, required: true } },
  setup(props) {
    const { status, data } = usePush<DishEvents, 'dish'>(() => server.options(props.room), { type: 'dish' })
    return () =>
      h('div', [
        h('p', { id: 'state' }, status.value.state),
        h('p', { id: 'dish' }, data.value ? `${data.value.name}: ${data.value.sales}` : 'waiting'),
      ])
  },
})

describe('usePush in a component', () => {
  it('connects once mounted and shows status changes and the latest message', async () => {
    const wrapper = mount(Dashboard, { props: { room: 'a' } })
    expect(wrapper.find('#dish').text()).toBe('waiting')
    await waitFor(() => wrapper.find('#state').text() === 'open')
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await server.push.publish({ event: 'dish', data: { name: 'pho', sales: 5 } })
    await waitFor(() => wrapper.find('#dish').text() === 'pho: 5')
    wrapper.unmount()
  })

  it('closes the client when unmounted', async () => {
    const wrapper = mount(Dashboard, { props: { room: 'a' } })
    await waitFor(() => server.push.clientCount === 1)
    wrapper.unmount()
    await waitFor(() => server.push.clientCount === 0)
  })

  it('reconnects once when the URL changes', async () => {
    const wrapper = mount(Dashboard, { props: { room: 'a' } })
    await waitFor(() => wrapper.find('#state').text() === 'open')
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => wrapper.find('#dish').text() === 'ramen: 3')

    await wrapper.setProps({ room: 'b' })
    expect(wrapper.find('#dish').text()).toBe('waiting')
    await waitFor(() => wrapper.find('#state').text() === 'open')
    await waitFor(() => server.push.clientCount === 1)
    expect(server.sockets).toBe(2)
    expect(server.upgradeUrls.map((url) => new URL(url, 'http://x').searchParams.get('room'))).toEqual(['a', 'b'])
    wrapper.unmount()
  })
})

describe('usePush in an effect scope', () => {
  it('connects at once, follows a ref, and closes when the scope is disposed', async () => {
    const scope = effectScope()
    const options = ref<PushClientOptions | null>(null)
    const push = scope.run(() => usePush(options))!
    await settle()
    expect(push.client.value).toBeNull()
    expect(push.status.value.state).toBe('idle')
    expect(server.sockets).toBe(0)

    options.value = server.options()
    await nextTick()
    await waitFor(() => push.status.value.state === 'open')
    await server.push.publish({ data: { text: 'hello' }, id: 'm1' })
    await waitFor(() => push.data.value !== undefined)
    expect(push.data.value).toEqual({ text: 'hello' })
    expect(push.lastMessage.value).toMatchObject({ type: 'message', id: 'm1', transport: 'websocket' })

    scope.stop()
    await waitFor(() => server.push.clientCount === 0)
    expect(push.client.value).toBeNull()

    // Nothing would ever close a client made after the scope is gone.
    push.open()
    await settle()
    expect(push.client.value).toBeNull()
    expect(server.sockets).toBe(1)
  })

  it('goes back to idle, without the old fault, when the options become null', async () => {
    const refusing = await startPushServer({ authorize: () => false })
    const scope = effectScope()
    const options = ref<PushClientOptions | null>({ ...refusing.options(), retry: false })
    const push = scope.run(() => usePush(options))!
    await waitFor(() => push.error.value !== undefined)

    options.value = null
    await nextTick()
    expect(push.client.value).toBeNull()
    expect(push.status.value.state).toBe('idle')
    expect(push.error.value).toBeUndefined()
    scope.stop()
    await refusing.close()
  })

  it('close() closes, open() reopens the same client, send() goes upstream', async () => {
    const scope = effectScope()
    const push = scope.run(() => usePush(server.options()))!
    await expect(
      usePush(() => null).send('nothing to send through'),
    ).rejects.toMatchObject({ name: 'PushError', code: 'network' })
    await waitFor(() => push.status.value.state === 'open')
    const client = push.client.value

    push.close()
    expect(push.status.value.state).toBe('closed')
    await waitFor(() => server.push.clientCount === 0)

    push.open()
    await waitFor(() => push.status.value.state === 'open')
    expect(push.client.value).toBe(client)
    await push.send({ order: 'pho' })
    await waitFor(() => received.length === 1)
    expect(received).toEqual(['{"order":"pho"}'])
    scope.stop()
  })

  it('reports a fault in error', async () => {
    const refusing = await startPushServer({ authorize: () => false })
    const scope = effectScope()
    const push = scope.run(() => usePush({ ...refusing.options(), retry: false }))!
    await waitFor(() => push.status.value.state === 'closed')
    expect(isPushError(push.error.value)).toBe(true)
    expect(push.error.value).toBe(push.status.value.error)
    scope.stop()
    await refusing.close()
  })
})

describe('usePushEvent', () => {
  it('follows a client ref and stops with the scope', async () => {
    const scope = effectScope()
    const seen: string[] = []
    const client = shallowRef<PushClient<DishEvents> | null>(null)
    scope.run(() => usePushEvent(client, 'dish', (message) => seen.push(message.data.name)))
    const push = scope.run(() => usePush<DishEvents>(server.options()))!
    client.value = push.client.value
    await flushPromises()
    await waitFor(() => push.status.value.state === 'open')

    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => seen.length === 1)
    scope.stop()
    expect(seen).toEqual(['ramen'])
  })

  it('types data and messages by the declared events', () => {
    const scope = effectScope()
    scope.run(() => {
      const push = usePush<DishEvents, 'dish'>(() => null, { type: 'dish' })
      expectTypeOf(push.data.value).toEqualTypeOf<{ name: string; sales: number } | undefined>()
      expectTypeOf(push.lastMessage.value).toEqualTypeOf<PushMessage<{ name: string; sales: number }, 'dish'> | undefined>()
      // @ts-expect-error 'dsh' is not a declared event type
      usePushEvent(push.client, 'dsh', () => {})
    })
    scope.stop()
  })
})

describe('usePush with share', () => {
  it('shares one connection among components with the same options, each with its role', async () => {
    const options = { ...server.options('shared'), share: shareAcrossTabs() }
    const Shared = defineComponent({
      setup() {
        const { status, data } = usePush<DishEvents, 'dish'>(options, { type: 'dish' })
        return () => h('p', `${status.value.state} ${status.value.role} ${data.value ? data.value.name : 'waiting'}`)
      },
    })
    const first = mount(Shared)
    const second = mount(Shared)
    await waitFor(() => [first.text(), second.text()].sort().join() === 'open follower waiting,open leader waiting')
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => first.text().endsWith('ramen') && second.text().endsWith('ramen'))
    expect(server.sockets).toBe(1)
    expect(server.push.clientCount).toBe(1)
    first.unmount()
    second.unmount()
  })
})
