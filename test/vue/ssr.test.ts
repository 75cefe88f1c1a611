// @vitest-environment node
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { usePush } from '../../src/vue/index'
import { settle, startPushServer, type DishEvents, type TestPushServer } from '../react/harness'

let server: TestPushServer

beforeEach(async () => {
  server = await startPushServer()
})

afterEach(() => server.close())

it('renders on the server as idle and opens no connection', async () => {
  const Dashboard = defineComponent({
    setup() {
      const { status, data } = usePush<DishEvents, 'dish'>(() => server.options(), { type: 'dish' })
      return () => h('p', `${status.value.state} ${data.value ? data.value.name : 'waiting'}`)
    },
  })
  const html = await renderToString(createSSRApp(Dashboard))
  expect(html).toBe('<p>idle waiting</p>')
  await settle()
  expect(server.sockets).toBe(0)
  expect(server.push.clientCount).toBe(0)
})

it('opens no connection outside a component on the server (a Pinia store under Nuxt)', async () => {
  const scope = effectScope()
  const push = scope.run(() => usePush(() => server.options()))!
  push.open()
  await settle()
  expect(push.client.value).toBeNull()
  expect(push.status.value.state).toBe('idle')
  expect(server.sockets).toBe(0)
  scope.stop()
})
