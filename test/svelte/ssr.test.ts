// @vitest-environment node
import { fileURLToPath } from 'node:url'
import { render } from 'svelte/server'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { PushClientOptions } from '../../src/index'
import { settle, startPushServer, type TestPushServer } from '../react/harness'
import { compileForServer } from './compile-for-server'

let server: TestPushServer

beforeEach(async () => {
  server = await startPushServer()
})

afterEach(() => server.close())

const fixture = (name: string) => fileURLToPath(new URL(name, import.meta.url))

it.each(['Dashboard.svelte', 'DashboardRunes.svelte'])(
  '%s renders on the server as idle and opens no connection',
  async (name) => {
    const Dashboard = compileForServer<{ options: PushClientOptions }>(fixture(name))
    const { body } = render(Dashboard, { props: { options: server.options() } })
    expect(body).toContain('<p data-testid="state">idle</p>')
    expect(body).toContain('<p data-testid="dish">waiting</p>')
    await settle()
    expect(server.sockets).toBe(0)
    expect(server.push.clientCount).toBe(0)
  },
)

it.each(['Dashboard.svelte', 'DashboardRunes.svelte'])(
  '%s renders a relative URL on the server without resolving it',
  (name) => {
    const Dashboard = compileForServer<{ options: PushClientOptions }>(fixture(name))
    const { body } = render(Dashboard, { props: { options: { url: '/stream', websocketUrl: '/ws' } } })
    expect(body).toContain('<p data-testid="state">idle</p>')
  },
)
