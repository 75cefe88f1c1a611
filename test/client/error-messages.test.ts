import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPushClient, isPushError, type PushClient, type PushClientOptions, type PushStatus } from '../../src/index'
import { closeServers, startServer } from '../server/helpers'
import WebSocket from 'ws'
import { createEventSourceShim, createXhrShim, waitFor } from '../helpers'

// What a user reads in error.message when pushwire/server refuses: the server's own words.

let client: PushClient | undefined

afterEach(async () => {
  vi.unstubAllGlobals()
  client?.close()
  client = undefined
  await closeServers()
})

function connect(options: PushClientOptions): PushStatus[] {
  const statuses: PushStatus[] = []
  client = createPushClient({ retry: false, ...options })
  client.onStatus((status) => statuses.push(status))
  return statuses
}

describe('error messages quote pushwire/server', () => {
  it('send() to a server without onMessage says what to do', async () => {
    const server = await startServer()
    const url = `http://127.0.0.1:${server.port}/stream`
    connect({ url, transports: ['fetch-sse'], lazy: true })
    const failure = await client!.send('hello').then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isPushError(failure) && failure).toMatchObject({ code: 'http', status: 405 })
    expect((failure as Error).message).toBe(
      `405 from POST ${url}: POST is not enabled: createPushServer({ onMessage }) receives what clients send`,
    )
  })

  const xhr = createXhrShim()

  it.each<[string, Partial<PushClientOptions>]>([
    ['fetch-sse', { transports: ['fetch-sse'] }],
    ['long-poll over XMLHttpRequest', { transports: ['long-poll'], XMLHttpRequest: xhr.XMLHttpRequest }],
  ])('a refused %s stream reports the server text', async (_, options) => {
    // Where fetch is missing, long-poll takes the XMLHttpRequest path of old browsers.
    if (options.XMLHttpRequest) vi.stubGlobal('fetch', undefined)
    const xhrsBefore = xhr.instances.length
    const server = await startServer({ authorize: () => false })
    const url = `http://127.0.0.1:${server.port}/stream`
    const statuses = connect({ url, ...options })
    await waitFor(() => statuses.some((status) => status.state === 'closed'), 'the client to give up')
    const error = statuses.find((status) => status.error)!.error!
    expect(error).toMatchObject({ code: 'auth', status: 401 })
    expect(error.message).toMatch(new RegExp(`^401 from GET ${url}(\\?transport=\\*\\*\\*)?: Unauthorized$`))
    expect(xhr.instances.length > xhrsBefore).toBe(!!options.XMLHttpRequest)
  })
})

describe('error messages keep secrets out (they go to error trackers)', () => {
  const SECRET = 's3cret'
  const secrets = { query: { token: SECRET, user: 'ann' }, headers: { Authorization: `Bearer ${SECRET}` } }

  async function closedPortUrl(): Promise<string> {
    const server = await startServer()
    const url = `http://127.0.0.1:${server.port}/stream`
    await server.close()
    return url
  }

  function expectRedacted(message: string): void {
    expect(message).not.toContain(SECRET)
    expect(message).toContain('token=***&user=***')
  }

  it.each<[string, Partial<PushClientOptions>]>([
    ['fetch-sse', { transports: ['fetch-sse'], ...secrets }],
    ['long-poll', { transports: ['long-poll'], ...secrets }],
    ['eventsource', { transports: ['eventsource'], query: secrets.query, EventSource: createEventSourceShim().EventSource }],
    ['websocket', { transports: ['websocket'], query: secrets.query, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket }],
  ])('%s: a failed connect names the query parameters, not their values', async (_, options) => {
    const statuses = connect({ url: await closedPortUrl(), ...options })
    await waitFor(() => statuses.some((status) => status.error), 'the failure')
    expectRedacted(statuses.find((status) => status.error)!.error!.message)
  })

  it('a refused stream and a refused send() name the query parameters, not their values', async () => {
    const server = await startServer({ authorize: () => false, onMessage: () => {} })
    const statuses = connect({ url: `http://127.0.0.1:${server.port}/stream`, transports: ['fetch-sse'], ...secrets })
    await waitFor(() => statuses.some((status) => status.state === 'closed'), 'the client to give up')
    statuses.filter((status) => status.error).forEach((status) => expectRedacted(status.error!.message))
    client!.close()
    connect({ url: `http://127.0.0.1:${server.port}/stream`, lazy: true, ...secrets })
    const failure = await client!.send('hi').catch((error: Error) => error)
    expect(failure).toMatchObject({ status: 401 })
    expectRedacted((failure as Error).message)
  })
})
