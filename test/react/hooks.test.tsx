// @vitest-environment happy-dom
import { StrictMode, useState } from 'react'
import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { shareAcrossTabs, type PushClient, type PushClientOptions, type PushMessage, type PushStatus } from '../../src/index'
import { usePush, usePushClient, usePushEvent, usePushMessage, usePushStatus } from '../../src/react/index'
import { settle, startPushServer, type DishEvents, type TestPushServer } from './harness'

let server: TestPushServer
let received: string[]

beforeEach(async () => {
  received = []
  server = await startPushServer({ onMessage: (data: string) => void received.push(data) })
})

afterEach(async () => {
  cleanup()
  await server.close()
})

function Dashboard({ options }: { options: PushClientOptions | null }) {
  const { status, lastMessage } = usePush<DishEvents, 'dish'>(options, 'dish')
  return (
    <div>
      <p data-testid="state">{status.state}</p>
      <p data-testid="transport">{status.transport || 'none'}</p>
      <p data-testid="dish">{lastMessage ? `${lastMessage.data.name}: ${lastMessage.data.sales}` : 'waiting'}</p>
    </div>
  )
}

const shown = (id: string) => screen.getByTestId(id).textContent

async function waitUntilOpen(): Promise<void> {
  await waitFor(() => expect(shown('state')).toBe('open'))
}

describe('usePush', () => {
  it('connects after mount and shows status changes and the latest message', async () => {
    render(<Dashboard options={server.options()} />)
    expect(shown('dish')).toBe('waiting')
    await waitUntilOpen()
    expect(shown('transport')).toBe('websocket')

    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await server.push.publish({ event: 'dish', data: { name: 'pho', sales: 5 } })
    await waitFor(() => expect(shown('dish')).toBe('pho: 5'))
  })

  it('closes the client on unmount', async () => {
    const { unmount } = render(<Dashboard options={server.options()} />)
    await waitUntilOpen()
    expect(server.push.clientCount).toBe(1)
    unmount()
    await waitFor(() => expect(server.push.clientCount).toBe(0))
  })

  it('leaves exactly one open connection under StrictMode', async () => {
    render(
      <StrictMode>
        <Dashboard options={server.options()} />
      </StrictMode>,
    )
    await waitUntilOpen()
    await server.push.publish({ event: 'dish', data: { name: 'udon', sales: 1 } })
    await waitFor(() => expect(shown('dish')).toBe('udon: 1'))
    await settle()
    expect(server.sockets).toBe(1)
    expect(server.push.clientCount).toBe(1)
  })

  it('reconnects once when the URL changes, and only then', async () => {
    const { rerender } = render(<Dashboard options={server.options('a')} />)
    await waitUntilOpen()
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => expect(shown('dish')).toBe('ramen: 3'))

    // A new options object with the same URL keeps the client.
    rerender(<Dashboard options={server.options('a')} />)
    rerender(<Dashboard options={server.options('b')} />)
    // The message belonged to the old client.
    expect(shown('dish')).toBe('waiting')
    await waitUntilOpen()
    await waitFor(() => expect(server.push.clientCount).toBe(1))
    expect(server.sockets).toBe(2)
    expect(server.upgradeUrls.map((url) => new URL(url, 'http://x').searchParams.get('room'))).toEqual(['a', 'b'])
  })

  it('does not connect while the options are null, then connects when they arrive', async () => {
    const { rerender } = render(<Dashboard options={null} />)
    await settle()
    expect(shown('state')).toBe('idle')
    expect(server.sockets).toBe(0)
    rerender(<Dashboard options={server.options()} />)
    await waitUntilOpen()
    rerender(<Dashboard options={null} />)
    expect(shown('state')).toBe('idle')
    await waitFor(() => expect(server.push.clientCount).toBe(0))
  })

  it('sends upstream through the client, and rejects before there is one', async () => {
    const { result } = renderHook(() => usePush(server.options(), 'message'))
    await expect(result.current.send('early')).rejects.toMatchObject({ name: 'PushError', code: 'network' })
    await waitFor(() => expect(result.current.status.state).toBe('open'))
    await act(() => result.current.send({ order: 'ramen' }))
    await waitFor(() => expect(received).toEqual(['{"order":"ramen"}']))
  })
})

describe('usePushClient', () => {
  it('reads query from the latest render on reconnect, without a new client', async () => {
    const { result, rerender } = renderHook(({ token }) => usePushClient({ ...server.options(), query: { token } }), {
      initialProps: { token: 'first' },
    })
    await waitFor(() => expect(result.current && result.current.state).toBe('open'))
    const client = result.current
    rerender({ token: 'refreshed' })
    server.push.disconnectAll()
    await waitFor(() => expect(server.upgradeUrls.length).toBe(2))
    await waitFor(() => expect(result.current && result.current.state).toBe('open'))
    expect(result.current).toBe(client)
    expect(server.upgradeUrls.map((url) => new URL(url, 'http://x').searchParams.get('token'))).toEqual([
      'first',
      'refreshed',
    ])
  })

  it('sends a query that first appears in a later render on the next reconnect', async () => {
    const { result, rerender } = renderHook(
      ({ token }: { token?: string }) => usePushClient({ ...server.options(), query: token ? { token } : undefined }),
      { initialProps: {} },
    )
    await waitFor(() => expect(result.current && result.current.state).toBe('open'))
    rerender({ token: 'late' })
    server.push.disconnectAll()
    await waitFor(() => expect(server.upgradeUrls.length).toBe(2))
    expect(new URL(server.upgradeUrls[1], 'http://x').searchParams.get('token')).toBe('late')
  })
})

describe('usePushStatus', () => {
  it('is idle without a client', () => {
    const { result } = renderHook(() => usePushStatus(null))
    expect(result.current).toEqual({ state: 'idle', transport: null, attempt: 0 })
  })

  it('re-renders on status changes only, not on events', async () => {
    const states: PushStatus['state'][] = []
    const events: string[] = []
    function Status({ client }: { client: PushClient<DishEvents> | null }) {
      states.push(usePushStatus(client).state)
      return null
    }
    function Host() {
      const client = usePushClient<DishEvents>(server.options())
      usePushEvent(client, 'dish', (message) => events.push(message.data.name))
      return <Status client={client} />
    }
    render(<Host />)
    await waitFor(() => expect(states[states.length - 1]).toBe('open'))
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await server.push.publish({ event: 'dish', data: { name: 'pho', sales: 5 } })
    await waitFor(() => expect(events).toEqual(['ramen', 'pho']))
    expect(states).toEqual(['idle', 'connecting', 'open'])
  })
})

describe('usePushEvent and usePushMessage', () => {
  it('calls the latest handler without resubscribing', async () => {
    const seen: string[] = []
    let client: PushClient<DishEvents> | null = null
    function Listener({ label }: { label: string }) {
      client = usePushClient<DishEvents>(server.options())
      usePushEvent(client, 'dish', (message) => seen.push(`${label}:${message.data.name}`))
      return <p data-testid="state">{usePushStatus(client).state}</p>
    }
    const { rerender } = render(<Listener label="first" />)
    await waitUntilOpen()
    const on = vi.spyOn(client as unknown as PushClient<DishEvents>, 'on')
    rerender(<Listener label="second" />)
    rerender(<Listener label="third" />)
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => expect(seen).toEqual(['third:ramen']))
    expect(on).not.toHaveBeenCalled()
  })

  it('keeps the latest message per type, typed by the declared events', async () => {
    const { result } = renderHook(() => {
      const client = usePushClient<DishEvents>(server.options())
      return { dish: usePushMessage(client, 'dish'), plain: usePushMessage(client, 'message') }
    })
    expectTypeOf(result.current.dish).toEqualTypeOf<PushMessage<{ name: string; sales: number }, 'dish'> | undefined>()
    // @ts-expect-error 'dsh' is not a declared event type
    const misspelled = (client: PushClient<DishEvents> | null) => usePushMessage(client, 'dsh')
    expect(misspelled).toBeTypeOf('function')

    await waitFor(() => expect(server.push.clientCount).toBe(1))
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 }, id: 'd1' })
    await server.push.publish({ data: { text: 'hello' } })
    await waitFor(() => expect(result.current.plain && result.current.plain.data).toEqual({ text: 'hello' }))
    expect(result.current.dish).toMatchObject({ type: 'dish', data: { name: 'ramen', sales: 3 }, id: 'd1' })
  })
})

describe('a component that waits for a token', () => {
  it('connects once the token is there', async () => {
    let setToken: (token: string) => void = () => {}
    function App() {
      const [token, set] = useState<string | null>(null)
      setToken = set
      return <Dashboard options={token ? { ...server.options(), query: { token } } : null} />
    }
    render(<App />)
    expect(shown('state')).toBe('idle')
    act(() => setToken('t1'))
    await waitUntilOpen()
    expect(new URL(server.upgradeUrls[0], 'http://x').searchParams.get('token')).toBe('t1')
  })
})

describe('usePush with share', () => {
  it('shares one connection among components with the same options, each with its role', async () => {
    const options = { ...server.options(), share: shareAcrossTabs() }
    function Shared({ id }: { id: string }) {
      const { status, lastMessage } = usePush<DishEvents, 'dish'>(options, 'dish')
      return (
        <p data-testid={id}>
          {status.state} {status.role} {lastMessage ? lastMessage.data.name : 'waiting'}
        </p>
      )
    }
    render(
      <>
        <Shared id="first" />
        <Shared id="second" />
      </>,
    )
    await waitFor(() => expect([shown('first'), shown('second')].sort()).toEqual(['open follower waiting', 'open leader waiting']))
    await server.push.publish({ event: 'dish', data: { name: 'ramen', sales: 3 } })
    await waitFor(() => expect([shown('first'), shown('second')].every((text) => text?.endsWith('ramen'))).toBe(true))
    expect(server.sockets).toBe(1)
    expect(server.push.clientCount).toBe(1)
  })
})
