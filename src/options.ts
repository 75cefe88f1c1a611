import { MAX_TIMER_MS } from './constants'
import type { ResolvedRetry } from './core/backoff'
import { MAX_ID_LENGTH } from './core/id-memory'
import { resolveUrl } from './core/url'
import { builtInTransports } from './transports/index'
import { TRANSPORT_NAMES, type PushClientOptions, type Transport, type TransportName, type WebSocketFormat } from './types'

/** `[default, minimum, maximum]`; a number without a maximum must be finite. */
type NumberRule = [number, number, number?]

const NUMBERS = {
  connectTimeoutMs: [10000, 1, MAX_TIMER_MS],
  heartbeatTimeoutMs: [45000, 1, MAX_TIMER_MS],
  maxMessageBytes: [1048576, 1],
  fallbackAfter: [2, 1],
} satisfies Record<string, NumberRule>

const RETRY_NUMBERS: Record<keyof ResolvedRetry, NumberRule> = {
  initialDelayMs: [1000, 0],
  maxDelayMs: [30000, 0, MAX_TIMER_MS],
  factor: [2, 1],
  jitter: [0.5, 0, 1],
  maxAttempts: [Infinity, 0, Infinity],
}

type NumberOption = keyof typeof NUMBERS

/** Options with every default applied and every value checked. */
export interface ResolvedOptions
  extends Omit<PushClientOptions, NumberOption | 'transports' | 'retry' | 'decode' | 'lastEventIdParam' | 'websocketFormat'>,
    Record<NumberOption, number> {
  websocketUrl: string
  transports: Transport[]
  withCredentials: boolean
  retry: ResolvedRetry
  lastEventIdParam: string
  decode: (data: string, type: string) => unknown
  websocketFormat: WebSocketFormat
}

const DECODERS = {
  text: (data: string) => data,
  json: (data: string): unknown => JSON.parse(data),
}

/** Throws the TypeError of a bad option unless `ok`; `accepted` says what the option must be. */
export function check(option: string, ok: unknown, accepted: string): void {
  if (!ok) throw new TypeError(`pushwire: options.${option} must be ${accepted}`)
}

/** Checks an option that is one of `names` or a function. */
function checkChoice(option: string, value: unknown, names: string[]): void {
  check(option, typeof value === 'function' || names.indexOf(value as string) !== -1, `'${names.join("', '")}' or a function`)
}

/** Checks the numbers named in `rules` (prefixing their names with `prefix`) and fills in defaults. */
function numbers<K extends string>(
  input: Partial<Record<NoInfer<K>, unknown>>,
  rules: Record<K, NumberRule>,
  prefix = '',
): Record<K, number> {
  const resolved = {} as Record<K, number>
  for (const key in rules) {
    const [fallback, min, max] = rules[key]
    const value = input[key] === undefined ? fallback : input[key]
    check(
      prefix + key,
      typeof value === 'number' && value >= min && (max === undefined ? value < Infinity : value <= max),
      max === undefined ? `a finite number >= ${min}` : max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`,
    )
    resolved[key] = value as number
  }
  return resolved
}

function resolveRetry(retry: PushClientOptions['retry'] = {}): ResolvedRetry {
  check('retry', (typeof retry === 'object' && retry) || retry === false, 'an object or false')
  // `false` is the defaults with no attempt at all.
  return numbers(retry || { maxAttempts: 0 }, RETRY_NUMBERS, 'retry.')
}

function resolveTransports(list: PushClientOptions['transports'] = builtInTransports): Transport[] {
  check('transports', Array.isArray(list) && list.length, 'a non-empty list')
  return list.map((entry, index) => {
    const transport: Partial<Transport> =
      typeof entry === 'string' ? builtInTransports[TRANSPORT_NAMES.indexOf(entry as TransportName)] : entry
    check(
      `transports[${index}]`,
      transport && typeof transport.open === 'function' && typeof transport.isSupported === 'function',
      `one of '${TRANSPORT_NAMES.join("', '")}' or a Transport`,
    )
    return transport as Transport
  })
}

/** `value` resolved against the page's location, when it is a URL whose scheme `pattern` accepts. */
function checkUrl(option: string, value: unknown, pattern: RegExp, accepted: string): string {
  const url = typeof value === 'string' && value ? resolveUrl(value) : ''
  check(option, pattern.test(url), accepted)
  return url
}

/** Checks `options` and fills in the defaults of the contract's options table. */
export function resolveOptions(options: PushClientOptions): ResolvedOptions {
  const input = options || ({} as PushClientOptions)
  const { websocketUrl, decode = 'text', lastEventId, lastEventIdParam = 'lastEventId', websocketFormat = 'sse', websocketProtocols } = input
  const url = checkUrl('url', input.url, /^https?:\/\//i, 'an http(s) URL (relative URLs need a page or worker)')
  const resolvedNumbers = numbers(input, NUMBERS)
  check('fallbackAfter', resolvedNumbers.fallbackAfter % 1 === 0, 'a whole number >= 1')
  checkChoice('decode', decode, ['text', 'json'])
  checkChoice('websocketFormat', websocketFormat, ['sse', 'text'])
  check('websocketProtocols', typeof (websocketProtocols ?? '') === 'string' || Array.isArray(websocketProtocols), 'a string or a list')
  // Held to the bound of received ids, past which no id is a resume point.
  check(
    'lastEventId',
    typeof (lastEventId ?? '') === 'string' && (lastEventId ?? '').length <= MAX_ID_LENGTH,
    `a string of at most ${MAX_ID_LENGTH} characters`,
  )
  check('lastEventIdParam', typeof lastEventIdParam === 'string' && lastEventIdParam, 'a non-empty string')
  check('share', !input.share || typeof input.share === 'function', 'the value of shareAcrossTabs()')
  ;(['headers', 'query'] as const).forEach((option) => {
    const value = input[option]
    check(option, value === undefined || typeof value === 'function' || (typeof value === 'object' && value), 'an object or a function')
  })

  return {
    ...input,
    ...resolvedNumbers,
    url,
    // The WebSocket URL that matches an http(s) URL.
    websocketUrl: (websocketUrl === undefined
      ? url
      : checkUrl('websocketUrl', websocketUrl, /^(http|ws)s?:\/\//i, 'a ws(s) or http(s) URL')
    ).replace(/^http/i, 'ws'),
    transports: resolveTransports(input.transports),
    withCredentials: !!input.withCredentials,
    retry: resolveRetry(input.retry),
    lastEventIdParam,
    decode: typeof decode === 'function' ? decode : DECODERS[decode],
    websocketFormat,
  }
}
