import { noop } from '../constants'
import { PushError } from '../errors'
import type { TransportEnv } from '../types'
import { httpStatusError } from './http-status'

/**
 * One HTTP request: a `GET` of an event stream, or a `POST` when it has a `body`. Its fields
 * mean what they mean on a `TransportRequest`, so a transport can pass its own as it is.
 */
export interface HttpRequest {
  /** Where `fetch` or `XMLHttpRequest` comes from. */
  env: TransportEnv
  url: string
  /**
   * The app's headers, which win over the request's own. They are never sent where a redirect
   * leads: with any of them set, `fetch` follows no redirect (`XMLHttpRequest` cannot be told).
   */
  headers?: Record<string, string>
  withCredentials: boolean
  /** The resume point, sent as `Last-Event-ID`; unset where the URL carries it. */
  lastEventId?(): string | undefined
  body?: string
  /** The `Content-Type` of `body`. */
  contentType?: string
  /**
   * Bounds what `XMLHttpRequest` keeps: it holds the whole body in `responseText`, so once that
   * is longer than 8 times this the request stops and reports `end` as if the body had ended
   * (8x: even all-empty `data: ` lines take only 7 chars per data char, so any event fits).
   * `fetch` streams and ignores it. Unset: no limit.
   */
  maxMessageBytes?: number
}

/** What a request reports; nothing is reported after it was stopped or failed. */
export interface ResponseHandlers {
  /** A good response arrived: 200 with `Content-Type: text/event-stream` for a GET, any 2xx for a POST. */
  start(): void
  /** Decoded body text; `''` when a chunk held only part of a character, or nothing new. */
  chunk(text: string): void
  /** The body ended cleanly. */
  end(): void
  /**
   * Bad status (its message quoting the start of a text body) or content type, or a network
   * fault; the request is already stopped.
   */
  fail(error: PushError): void
}

/** Stops a request; further calls do nothing. */
export type StopRequest = () => void

// Hoisted: this object would otherwise be allocated for every chunk of the hot path.
const STREAM: TextDecodeOptions = { stream: true }

/**
 * Runs `request` with `fetch` where there is one (streaming the body where the platform has
 * `response.body` streams), else with `XMLHttpRequest`, the path of IE11-class browsers,
 * which reports `responseText` as it grows and needs no Promise, stream or TextDecoder.
 */
export function sendRequest(request: HttpRequest, handlers: ResponseHandlers): StopRequest {
  const { env, url } = request
  const lastEventId = request.lastEventId?.()
  const isGet = request.body === undefined
  const method = isGet ? 'GET' : 'POST'
  const label = method + ' ' + url
  const headers: Record<string, string> = isGet
    ? { Accept: 'text/event-stream' }
    : { 'Content-Type': request.contentType as string }
  // As UTF-8 bytes, like native EventSource: fetch throws on header characters above U+00FF.
  if (lastEventId) headers['Last-Event-ID'] = unescape(encodeURIComponent(lastEventId))
  let redirect: RequestRedirect = 'follow'
  for (const name in request.headers) {
    headers[name] = request.headers[name]
    redirect = 'manual'
  }
  let settled = false
  let abort = noop
  // Set while the first text of a refusal's body is awaited for its error message.
  let refuse: ((body: string) => void) | undefined

  function stop(): void {
    if (settled) return
    // Set first: browsers fire readystatechange from abort(), which must not look like a response.
    settled = true
    abort()
  }

  function fail(error: PushError): void {
    if (settled) return
    stop()
    handlers.fail(error)
  }

  function failNetwork(cause?: unknown): void {
    fail(new PushError('network', `${label} failed`, { cause }))
  }

  /** Checks status and content type; reports `start` and returns whether to read on. */
  function respond(status: number, header: (name: string) => string | null): boolean {
    const contentType = header('Content-Type') || ''
    // A redirect not followed: an opaque one (status 0) in browsers, the 3xx itself elsewhere.
    if (status < 200 || (status > 299 && status < 400)) {
      fail(new PushError('http', `redirect from ${label} not followed: headers are set`, { status: status || undefined }))
    } else if (isGet ? status !== 200 : status > 299) {
      const retryAfter = header('Retry-After')
      refuse = (body) => fail(httpStatusError(status, retryAfter, label, body))
      // A text body says why (pushwire/server explains every refusal): its first chunk is
      // quoted, the rest never read. Not an event stream's: that may stay open and silent.
      if (!/^text\/(?!event-stream)/i.test(contentType)) refuse('')
    } else if (isGet && !/^text\/event-stream/i.test(contentType)) {
      fail(new PushError('protocol', `expected text/event-stream from ${label}, got ${contentType}`, { status }))
    } else {
      handlers.start()
    }
    return !settled
  }

  function chunk(text: string): void {
    if (settled) return
    if (!refuse) handlers.chunk(text)
    else if (text) refuse(text)
  }

  function end(rest: string): void {
    if (rest) chunk(rest)
    if (settled) return
    if (refuse) return refuse('')
    settled = true
    handlers.end()
  }

  function viaFetch(fetch: typeof globalThis.fetch): void {
    const controller = typeof AbortController !== 'undefined' ? new AbortController() : undefined
    let body: ReadableStream | ReadableStreamDefaultReader | null | undefined
    abort = () => {
      controller?.abort()
      // Without AbortController, cancelling the body is the only way to free it.
      body?.cancel().then(noop, noop)
    }
    fetch(url, {
      method,
      body: request.body,
      headers,
      credentials: request.withCredentials ? 'include' : 'same-origin',
      cache: 'no-store',
      redirect,
      signal: controller?.signal,
    }).then((response) => {
      const stream = response.body
      const reader = stream && typeof TextDecoder !== 'undefined' ? stream.getReader() : undefined
      body = reader || stream
      if (settled) return abort()
      if (!respond(response.status, (name) => response.headers.get(name))) return
      // Without a stream, text() reads all of a refusal's body, which may never end.
      if (!reader) return refuse ? refuse('') : response.text().then(end, failNetwork)
      const decoder = new TextDecoder()
      const onRead = (result: ReadableStreamReadResult<Uint8Array>): void => {
        if (result.done) return end(decoder.decode())
        chunk(decoder.decode(result.value, STREAM))
        if (!settled) reader.read().then(onRead, failNetwork)
      }
      reader.read().then(onRead, failNetwork)
    }, failNetwork)
  }

  function viaXhr(XHR: typeof XMLHttpRequest): void {
    const xhr = new XHR()
    let started = false
    let seen = 0
    abort = () => xhr.abort()
    xhr.open(method, url, true)
    // IE10/11 refuse withCredentials before open().
    xhr.withCredentials = request.withCredentials
    for (const name in headers) xhr.setRequestHeader(name, headers[name])
    xhr.onreadystatechange = () => {
      const state = xhr.readyState
      if (settled || state < 2) return
      // Status 0 is a request that never got (or lost) its response: network fault, CORS refusal.
      if (!xhr.status) return state === 4 ? failNetwork() : undefined
      if (!started) {
        started = true
        if (!respond(xhr.status, (name) => xhr.getResponseHeader(name))) return
      }
      if (state < 3) return
      const text = xhr.responseText
      chunk(text.slice(seen))
      seen = text.length
      if (state === 4) end('')
      // An unset limit never cuts: no length is greater than undefined.
      else if (text.length > 8 * (request.maxMessageBytes as number)) {
        end('')
        // After end(): the readystatechange that abort() fires must find the request settled.
        abort()
      }
    }
    xhr.send(request.body)
  }

  try {
    if (env.fetch) viaFetch(env.fetch)
    else viaXhr(env.XMLHttpRequest as typeof XMLHttpRequest)
  } catch (cause) {
    failNetwork(cause)
  }
  return stop
}

/**
 * POSTs `body` to `url` with `headers` and its `Content-Type`. Resolves once a 2xx response
 * has been read; rejects with a {@link PushError} otherwise.
 */
export function post(
  env: TransportEnv,
  url: string,
  body: string,
  contentType: string,
  headers: Record<string, string> | undefined,
  withCredentials: boolean,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    sendRequest({ env, url, body, contentType, headers, withCredentials }, { start: noop, chunk: noop, end: resolve, fail: reject })
  })
}
