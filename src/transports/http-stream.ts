import { httpStatusError, isEventStream } from '../core/http'
import { PushError } from '../errors'

/** One `GET` of a `text/event-stream` body. */
export interface EventStreamRequest {
  url: string
  headers: Record<string, string>
  withCredentials: boolean
}

/** What an event-stream request reports; nothing is reported after it was stopped or failed. */
export interface EventStreamHandlers {
  /** The response headers arrived with status 200 and `Content-Type: text/event-stream`. */
  start(): void
  /** Decoded body text; `''` when a chunk held only part of a character. */
  chunk(text: string): void
  /** The body ended cleanly. */
  end(): void
  /** Bad status or content type, or a network fault; the request is already stopped. */
  fail(error: PushError): void
}

/** Stops a request; further calls do nothing. */
export type StopRequest = () => void

type ResponseHeader = (name: string) => string | null

// Hoisted: this object would otherwise be allocated for every chunk of the hot path.
const STREAM: TextDecodeOptions = { stream: true }

function noop(): void {}

/** `Accept: text/event-stream` plus the user's headers (which may override it). */
export function eventStreamHeaders(headers: Record<string, string>): Record<string, string> {
  const all: Record<string, string> = { Accept: 'text/event-stream' }
  for (const name in headers) all[name] = headers[name]
  return all
}

function responseError(status: number, header: ResponseHeader, request: string): PushError | undefined {
  if (status !== 200) return httpStatusError(status, header('Retry-After'), request)
  const contentType = header('Content-Type')
  if (isEventStream(contentType)) return undefined
  return new PushError('protocol', `expected text/event-stream from ${request}, got ${contentType || 'no Content-Type'}`, {
    status,
  })
}

/**
 * Runs `request` with `fetch`, streaming the body through `TextDecoder` where the platform
 * has `response.body` streams (else it reads the whole body with `text()`).
 */
export function fetchEventStream(
  fetch: typeof globalThis.fetch,
  request: EventStreamRequest,
  handlers: EventStreamHandlers,
): StopRequest {
  const label = 'GET ' + request.url
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined
  let settled = false
  // Cancels the body: the only way to free it where AbortController is missing.
  let cancelBody = noop

  function stop(): void {
    if (settled) return
    settled = true
    if (controller) controller.abort()
    cancelBody()
  }

  function fail(error: PushError): void {
    if (settled) return
    stop()
    handlers.fail(error)
  }

  function failNetwork(cause: unknown): void {
    fail(new PushError('network', `${label} failed`, { cause }))
  }

  function finish(): void {
    if (settled) return
    settled = true
    handlers.end()
  }

  function readStream(body: ReadableStream<Uint8Array>): void {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    cancelBody = () => {
      reader.cancel().then(noop, noop)
    }
    function onRead(result: ReadableStreamReadResult<Uint8Array>): void {
      if (settled) return
      if (result.done) {
        const rest = decoder.decode()
        if (rest) handlers.chunk(rest)
        return finish()
      }
      handlers.chunk(decoder.decode(result.value, STREAM))
      if (!settled) reader.read().then(onRead, failNetwork)
    }
    reader.read().then(onRead, failNetwork)
  }

  function onResponse(response: Response): void {
    const body = response.body
    if (body) {
      cancelBody = () => {
        body.cancel().then(noop, noop)
      }
    }
    if (settled) return cancelBody()
    const error = responseError(response.status, (name) => response.headers.get(name), label)
    if (error) return fail(error)
    handlers.start()
    if (settled) return
    if (body && typeof body.getReader === 'function' && typeof TextDecoder !== 'undefined') return readStream(body)
    response.text().then((text) => {
      if (settled) return
      handlers.chunk(text)
      finish()
    }, failNetwork)
  }

  try {
    fetch(request.url, {
      headers: request.headers,
      credentials: request.withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      signal: controller && controller.signal,
    }).then(onResponse, failNetwork)
  } catch (cause) {
    failNetwork(cause)
  }
  return stop
}

/**
 * Runs `request` with `XMLHttpRequest`, reporting `responseText` as it grows. This is the
 * path of IE11-class browsers, so it needs no Promise, fetch, stream or TextDecoder.
 */
export function xhrEventStream(
  XHR: typeof XMLHttpRequest,
  request: EventStreamRequest,
  handlers: EventStreamHandlers,
): StopRequest {
  const label = 'GET ' + request.url
  const xhr = new XHR()
  let settled = false
  let started = false
  let seen = 0

  function stop(): void {
    if (settled) return
    // Set first: browsers fire readystatechange from abort(), which must not look like a response.
    settled = true
    xhr.abort()
  }

  function fail(error: PushError): void {
    if (settled) return
    stop()
    handlers.fail(error)
  }

  function onReadyStateChange(): void {
    const state = xhr.readyState
    if (settled || state < 2) return
    if (!started) {
      // Status 0 is a request that never got a response (network fault, CORS refusal).
      if (xhr.status === 0) {
        if (state === 4) fail(new PushError('network', `${label} failed`))
        return
      }
      const error = responseError(xhr.status, (name) => xhr.getResponseHeader(name), label)
      if (error) return fail(error)
      started = true
      handlers.start()
      if (settled) return
    }
    if (state < 3) return
    const text = xhr.responseText
    if (text.length > seen) {
      const chunk = text.slice(seen)
      seen = text.length
      handlers.chunk(chunk)
      if (settled) return
    }
    if (state !== 4) return
    if (xhr.status === 0) return fail(new PushError('network', `${label} broke off`))
    settled = true
    handlers.end()
  }

  try {
    xhr.open('GET', request.url, true)
    // IE10/11 refuse withCredentials before open().
    xhr.withCredentials = request.withCredentials
    for (const name in request.headers) xhr.setRequestHeader(name, request.headers[name])
    xhr.onreadystatechange = onReadyStateChange
    xhr.send()
  } catch (cause) {
    fail(new PushError('network', `${label} failed`, { cause }))
  }
  return stop
}
