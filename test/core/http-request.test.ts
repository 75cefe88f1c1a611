import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sendRequest, type HttpRequest } from '../../src/core/http-request'
import type { PushError } from '../../src/errors'
import type { TransportEnv } from '../../src/types'
import { createTestServer, createXhrShim, deferred, within, type TestServer } from '../helpers'

let server: TestServer

beforeEach(async () => {
  server = await createTestServer()
})

afterEach(() => server.close())

const ENVS: Array<[string, () => TransportEnv]> = [
  ['fetch', () => ({ fetch })],
  ['XMLHttpRequest', () => ({ XMLHttpRequest: createXhrShim().XMLHttpRequest })],
]

/** Sends `request` and resolves with the error it fails with (rejects if it starts or ends instead). */
function failureOf(env: TransportEnv, request: Partial<HttpRequest> = {}): Promise<PushError> {
  const failed = deferred<PushError>()
  sendRequest(
    { env, url: server.url(), headers: {}, withCredentials: false, ...request },
    {
      start: () => failed.reject(new Error('started')),
      chunk: () => {},
      end: () => failed.reject(new Error('ended')),
      fail: failed.resolve,
    },
  )
  return within(failed.promise, 'the request to fail')
}

describe.each(ENVS)('refusals over %s', (_, makeEnv) => {
  it.each([
    ['GET', undefined],
    ['POST', 'hello'],
  ])('a %s refusal quotes the start of its text body', async (method, body) => {
    const failure = failureOf(makeEnv(), { body, contentType: body && 'text/plain' })
    ;(await server.nextRequest()).respond(405, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed:\nuse GET\n')
    expect(await failure).toMatchObject({
      code: 'http',
      status: 405,
      message: `405 from ${method} ${server.url()}: Method not allowed: use GET`,
    })
  })

  it('quotes an HTML error page (any text/*), at most 200 characters of it', async () => {
    const failure = failureOf(makeEnv())
    const page = '<html><body><h1>502 Bad Gateway</h1>' + 'x'.repeat(10000) + '</body></html>'
    ;(await server.nextRequest()).respond(502, { 'Content-Type': 'text/html' }, page)
    expect((await failure).message).toBe(`502 from GET ${server.url()}: ${page.slice(0, 200)}…`)
  })

  it('quotes the first text of a body that never ends, and stops reading it', async () => {
    const failure = failureOf(makeEnv())
    const request = await server.nextRequest()
    await request.head(503, { 'Content-Type': 'text/plain', 'Retry-After': '3' }).write('busy, come back later')
    expect(await failure).toMatchObject({ code: 'http', retryAfterMs: 3000, message: `503 from GET ${server.url()}: busy, come back later` })
    await within(request.closed, 'the client to drop the endless body')
    expect(request.aborted).toBe(true)
  })

  it('does not wait for a body that is not text', async () => {
    const failure = failureOf(makeEnv())
    ;(await server.nextRequest()).head(500, { 'Content-Type': 'application/octet-stream' })
    expect((await failure).message).toBe(`500 from GET ${server.url()}`)
  })

  it('does not wait on the body of a refused event stream, which may never send a byte', async () => {
    const failure = failureOf(makeEnv())
    ;(await server.nextRequest()).head(503, { 'Content-Type': 'text/event-stream' })
    expect((await failure).message).toBe(`503 from GET ${server.url()}`)
  })
})

describe('redirects, with and without the app headers (fetch)', () => {
  let elsewhere: TestServer

  beforeEach(async () => {
    elsewhere = await createTestServer()
  })

  afterEach(() => elsewhere.close())

  it.each([
    ['GET', undefined],
    ['POST', 'hello'],
  ])('a %s with headers follows no redirect: they never reach the other origin', async (method, body) => {
    const failure = failureOf({ fetch }, { body, contentType: body && 'text/plain', headers: { 'X-Token': 'secret' } })
    ;(await server.nextRequest()).respond(307, { Location: elsewhere.url() })
    expect(await failure).toMatchObject({
      code: 'http',
      status: 307,
      message: `redirect from ${method} ${server.url()} not followed: headers are set`,
    })
    // Give a followed request time to arrive: none does.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(elsewhere.requests).toEqual([])
  })

  it('a GET without headers follows the redirect', async () => {
    const started = deferred()
    sendRequest({ env: { fetch }, url: server.url(), headers: {}, withCredentials: false }, {
      start: started.resolve,
      chunk: () => {},
      end: () => {},
      fail: started.reject,
    })
    ;(await server.nextRequest()).respond(307, { Location: elsewhere.url() })
    const followed = (await within(elsewhere.nextRequest(), 'the followed request')).stream()
    await within(started.promise, 'the stream to start')
    expect(followed.headers.accept).toBe('text/event-stream')
  })
})
