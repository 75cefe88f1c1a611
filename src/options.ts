import type { ResolvedRetry } from './core/backoff'
import { resolveUrl, toWebSocketUrl } from './core/url'
import { builtInTransports } from './transports/index'
import {
  TRANSPORT_NAMES,
  type PushClientOptions,
  type Resolvable,
  type Transport,
  type TransportEnv,
  type TransportName,
} from './types'

/** Options with every default applied and every value checked. */
export interface ResolvedOptions {
  url: string
  websocketUrl: string
  transports: Transport[]
  headers: Resolvable<Record<string, string>> | undefined
  query: Resolvable<Record<string, string>> | undefined
  withCredentials: boolean
  retry: ResolvedRetry
  connectTimeoutMs: number
  heartbeatTimeoutMs: number
  lastEventId: string | undefined
  lastEventIdParam: string
  fallbackAfter: number
  pauseWhenHidden: boolean
  maxMessageBytes: number
  decode: (data: string, type: string) => unknown
  lazy: boolean
  env: TransportEnv
}

const DEFAULT_RETRY: ResolvedRetry = {
  initialDelayMs: 1000,
  maxDelayMs: 30000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
}

const DECODERS = {
  text: (data: string) => data,
  json: (data: string): unknown => JSON.parse(data),
}

function fail(option: string, accepted: string, got: unknown): never {
  const shown = typeof got === 'string' ? `'${got}'` : typeof got === 'function' ? 'a function' : String(got)
  throw new TypeError(`pushwire: options.${option} must be ${accepted}, got ${shown}`)
}

function number(
  input: Record<string, unknown>,
  key: string,
  fallback: number,
  min: number,
  label = key,
  allowInfinity = false,
): number {
  const value = input[key]
  if (value === undefined) return fallback
  const ok = typeof value === 'number' && value >= min && (allowInfinity ? !isNaN(value) : isFinite(value))
  if (!ok) fail(label, `a ${allowInfinity ? '' : 'finite '}number >= ${min}`, value)
  return value as number
}

function isTransport(value: unknown): value is Transport {
  const candidate = value as Transport | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.open === 'function' &&
    typeof candidate.isSupported === 'function'
  )
}

function resolveTransports(list: PushClientOptions['transports']): Transport[] {
  if (list === undefined) return TRANSPORT_NAMES.map((name) => builtInTransports[name])
  const accepted = `a non-empty list of ${TRANSPORT_NAMES.map((n) => `'${n}'`).join(', ')} or Transport objects`
  if (!Array.isArray(list) || list.length === 0) fail('transports', accepted, list)
  return list.map((entry, index) => {
    if (isTransport(entry)) return entry
    if (typeof entry === 'string' && TRANSPORT_NAMES.indexOf(entry as TransportName) !== -1) {
      return builtInTransports[entry as TransportName]
    }
    return fail(`transports[${index}]`, accepted.replace('a non-empty list of ', 'one of '), entry)
  })
}

function resolveRetry(retry: PushClientOptions['retry']): ResolvedRetry {
  if (retry === false) return { ...DEFAULT_RETRY, maxAttempts: 0 }
  if (retry === undefined) return DEFAULT_RETRY
  if (typeof retry !== 'object' || retry === null) fail('retry', 'an object or false', retry)
  const input = retry as Record<string, unknown>
  const resolved: ResolvedRetry = {
    initialDelayMs: number(input, 'initialDelayMs', DEFAULT_RETRY.initialDelayMs, 0, 'retry.initialDelayMs'),
    maxDelayMs: number(input, 'maxDelayMs', DEFAULT_RETRY.maxDelayMs, 0, 'retry.maxDelayMs'),
    factor: number(input, 'factor', DEFAULT_RETRY.factor, 1, 'retry.factor'),
    jitter: number(input, 'jitter', DEFAULT_RETRY.jitter, 0, 'retry.jitter'),
    maxAttempts: number(input, 'maxAttempts', DEFAULT_RETRY.maxAttempts, 0, 'retry.maxAttempts', true),
  }
  if (resolved.jitter > 1) fail('retry.jitter', 'a number from 0 to 1', resolved.jitter)
  return resolved
}

function resolvable<T>(input: Record<string, unknown>, key: string): Resolvable<T> | undefined {
  const value = input[key]
  if (value === undefined || typeof value === 'function' || (typeof value === 'object' && value !== null)) {
    return value as Resolvable<T> | undefined
  }
  return fail(key, 'an object or a function returning one', value)
}

function httpUrl(url: unknown): string {
  if (typeof url !== 'string' || url === '') fail('url', 'an http(s) URL', url)
  const absolute = resolveUrl(url as string)
  if (!/^https?:\/\//i.test(absolute)) {
    fail('url', 'an http(s) URL (relative URLs need a page location to resolve against)', url)
  }
  return absolute
}

function webSocketUrl(url: unknown): string {
  if (typeof url !== 'string') fail('websocketUrl', 'a ws(s) or http(s) URL', url)
  const absolute = toWebSocketUrl(resolveUrl(url as string))
  if (!/^wss?:\/\//i.test(absolute)) fail('websocketUrl', 'a ws(s) or http(s) URL', url)
  return absolute
}

/** Checks `options` and fills in the defaults of the contract's options table. */
export function resolveOptions(options: PushClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('pushwire: createPushClient needs an options object with at least { url }')
  }
  const input = options as unknown as Record<string, unknown>
  const url = httpUrl(options.url)

  const decode = options.decode ?? 'text'
  if (typeof decode !== 'function' && decode !== 'text' && decode !== 'json') {
    fail('decode', "'text', 'json' or a function (data, type) => value", decode)
  }
  const lastEventId = options.lastEventId
  if (lastEventId !== undefined && typeof lastEventId !== 'string') fail('lastEventId', 'a string', lastEventId)
  const lastEventIdParam = options.lastEventIdParam ?? 'lastEventId'
  if (typeof lastEventIdParam !== 'string' || lastEventIdParam === '') {
    fail('lastEventIdParam', 'a non-empty string', lastEventIdParam)
  }
  const fallbackAfter = number(input, 'fallbackAfter', 2, 1)
  if (fallbackAfter % 1 !== 0) fail('fallbackAfter', 'a whole number >= 1', fallbackAfter)

  return {
    url,
    websocketUrl: options.websocketUrl === undefined ? toWebSocketUrl(url) : webSocketUrl(options.websocketUrl),
    transports: resolveTransports(options.transports),
    headers: resolvable(input, 'headers'),
    query: resolvable(input, 'query'),
    withCredentials: !!options.withCredentials,
    retry: resolveRetry(options.retry),
    connectTimeoutMs: number(input, 'connectTimeoutMs', 10000, 1),
    heartbeatTimeoutMs: number(input, 'heartbeatTimeoutMs', 45000, 1),
    lastEventId,
    lastEventIdParam,
    fallbackAfter,
    pauseWhenHidden: !!options.pauseWhenHidden,
    maxMessageBytes: number(input, 'maxMessageBytes', 1048576, 1),
    decode: typeof decode === 'function' ? decode : DECODERS[decode],
    lazy: !!options.lazy,
    env: { fetch: options.fetch, WebSocket: options.WebSocket, EventSource: options.EventSource, XMLHttpRequest: options.XMLHttpRequest },
  }
}
