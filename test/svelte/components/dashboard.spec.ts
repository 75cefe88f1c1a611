import { render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { settle, startPushServer, type TestPushServer } from '../../react/harness'
import Dashboard from '../Dashboard.svelte'
import DashboardRunes from '../DashboardRunes.svelte'

let server: TestPushServer

beforeEach(async () => {
  server = await startPushServer()
})

afterEach(() => server.close())

const shown = (id: string) => screen.getByTestId(id).textContent

it.each([
  ['$store syntax (Svelte 3/4/5)', Dashboard],
  ['fromStore (Svelte 5 runes)', DashboardRunes],
])('%s: connects on mount, shows status and messages, closes on unmount', async (_, Component) => {
  const { unmount } = render(Component, { props: { options: server.options() } })
  expect(shown('dish')).toBe('waiting')
  await waitFor(() => expect(shown('state')).toBe('open'))

  await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
  await server.push.publish({ event: 'dish', data: { name: 'pho', sales: 5 } })
  await waitFor(() => expect(shown('dish')).toBe('pho: 5'))
  await settle()
  expect(server.sockets).toBe(1)

  unmount()
  await waitFor(() => expect(server.push.clientCount).toBe(0))
})
