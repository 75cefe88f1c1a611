// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { usePush } from '../../src/react/index'
import { settle, startPushServer, type DishEvents, type TestPushServer } from './harness'

let server: TestPushServer

beforeEach(async () => {
  server = await startPushServer()
})

afterEach(() => server.close())

function Dashboard({ url }: { url: string }) {
  const { status, lastMessage } = usePush<DishEvents, 'dish'>({ ...server.options(), url }, 'dish')
  return (
    <p>
      {status.state} {lastMessage ? lastMessage.data.name : 'waiting'}
    </p>
  )
}

it('renders on the server as idle and opens no connection', async () => {
  const html = renderToString(<Dashboard url={server.url()} />)
  expect(html).toBe('<p>idle<!-- --> <!-- -->waiting</p>')
  await settle()
  expect(server.sockets).toBe(0)
  expect(server.push.clientCount).toBe(0)
})

it('renders a relative URL on the server without resolving it', () => {
  expect(renderToString(<Dashboard url="/stream" />)).toContain('idle')
})
