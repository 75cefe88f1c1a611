import type { ResolvedRetry } from './core/backoff'
import { resolveUrl, toWebSocketUrl } from './core/url'
import { builtInTransports } from './transports/index'
import { TRANSPORT_NAMES, type PushClientOptions, type Resolvable, type Transport, type TransportName } from './types'

/** `[default, minimum, maximum]`; a number without a maximum must be finite. */
type NumberRule = [number, number, number?]

const NUMBERS = {
  connectTimeoutMs: [10000, 1],
  heartbeatTimeoutMs: [45000, 1],
  maxMessageBytes: [1048576, 1],
  fallbackAfter: [2, 1],
} satisfies Record<string, NumberRule>

const RETRY_NUMBERS: Record<keyof ResolvedRetry, NumberRule> = {
  initialDelayMs: [1000, 0],
  maxDelayMs: [30000, 0],
  factor: [2, 1],
  jitter: [0.5, 0, 1],
  maxAttempts: [Infinity, 0, Infinity],
}

type NumberOption = keyof typeof NUMBERS

/** Options with every default applied and every value checked. */
export interface ResolvedOptions
  extends Omit<PushClientOptions, NumberOption | 'transports' | 'retry' | 'decode' | 'lastEventIdParam'>,
    Record<NumberOption, number> {
  websocketUrl: string
  transports: Transport[]
  headers: Resolvable<Record<string, string>> | undefined
  query: Resolvable<Record<string, string>> | undefined
  withCredentials: boolean
  retry: ResolvedRetry
  lastEventIdParam: string
  decode: (data: string, type: string) => unknown
}

const DECODERS = {
  text: (data: string) => data,
  json: (data: string): unknown => JSON.parse(data),
}

function fail(option: string, accepted: string, got: unknown): never {
  const shown = typeof got === 'string' ? `'${got}'` : typeof got === 'function' ? 'a function' : String(got)
  throw new TypeError(`pushwire: options.${option} must be ${accepted}, got ${shown}`)
}

/** Checks the numbers named in `rules` (prefixing their names with `prefix`) and fills in defaults. */
function numbers<K extends string>(input: Partial<Record<NoInfer<K>, unknown>>, rules: Record<K, NumberRule>, prefix = ''): Record<K, number> {
  const resolved = {} as Record<K, number>
  for (const key in rules) {
    const [fallback, min, max] = rules[key]
    const value = input[key] === undefined ? fallback : input[key]
    if (typeof value !== 'number' || !(value >= min && (max === undefined ? isFinite(value) : value <= max))) {
      const range = max === undefined ? `a finite number >= ${min}` : max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`
      fail(prefix + key, range, value)
    }
    resolved[key] = value as number
  }
  return resolved
}

function resolveRetry(retry: PushClientOptions['retry']): ResolvedRetry {
  if (retry === false) return { ...numbers({}, RETRY_NUMBERS), maxAttempts: 0 }
  if (typeof retry !== 'object' && retry !== undefined) fail('retry', 'an object or false', retry)
  return numbers(retry || {}, RETRY_NUMBERS, 'retry.')
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

function resolveTransports(list: PushClientOptions['transports'] = TRANSPORT_NAMES): Transport[] {
  if (!Array.isArray(list) || !list.length) fail('transports', 'a non-empty list', list)
  return list.map((entry: TransportName | Transport, index) => {
    const transport = typeof entry === 'string' ? builtInTransports[entry] : entry
    if (!isTransport(transport)) fail(`transports[${index}]`, `one of '${TRANSPORT_NAMES.join("', '")}' or a Transport`, entry)
    return transport
  })
}

function resolvable<T>(option: string, value: Resolvable<T> | undefined): Resolvable<T> | undefined {
  if (value !== undefined && typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
    fail(option, 'an object or a function returning one', value)
  }
  return value
}

/** `value` resolved against the page's location, when it is a URL whose scheme `pattern` accepts. */
function checkUrl(option: string, value: unknown, pattern: RegExp, accepted: string): string {
  const url = typeof value === 'string' && value ? resolveUrl(value) : ''
  if (!pattern.test(url)) fail(option, accepted, value)
  return url
}

/** Checks `options` and fills in the defaults of the contract's options table. */
export function resolveOptions(options: PushClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('pushwire: createPushClient needs an options object with at least { url }')
  }
  const { websocketUrl, decode = 'text', lastEventId, lastEventIdParam = 'lastEventId' } = options
  const url = checkUrl('url', options.url, /^https?:\/\//i, 'an http(s) URL (relative URLs need a page to resolve against)')
  if (typeof decode !== 'function' && decode !== 'text' && decode !== 'json') {
    fail('decode', "'text', 'json' or a function (data, type) => value", decode)
  }
  if (lastEventId !== undefined && typeof lastEventId !== 'string') fail('lastEventId', 'a string', lastEventId)
  if (typeof lastEventIdParam !== 'string' || !lastEventIdParam) fail('lastEventIdParam', 'a non-empty string', lastEventIdParam)
  const resolvedNumbers = numbers(options, NUMBERS)
  if (resolvedNumbers.fallbackAfter % 1) fail('fallbackAfter', 'a whole number >= 1', options.fallbackAfter)

  return {
    ...options,
    ...resolvedNumbers,
    url,
    websocketUrl: toWebSocketUrl(
      websocketUrl === undefined ? url : checkUrl('websocketUrl', websocketUrl, /^(http|ws)s?:\/\//i, 'a ws(s) or http(s) URL'),
    ),
    transports: resolveTransports(options.transports),
    headers: resolvable('headers', options.headers),
    query: resolvable('query', options.query),
    withCredentials: !!options.withCredentials,
    retry: resolveRetry(options.retry),
    lastEventIdParam,
    decode: typeof decode === 'function' ? decode : DECODERS[decode],
  }
}
