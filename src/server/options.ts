import { MAX_TIMER_MS } from '../constants'
import { isAdapter, type Adapter } from './adapters/adapter'
import type { PushServerCors, PushServerOptions } from './types'

/** {@link PushServerOptions} with every default applied. */
export interface ResolvedServerOptions {
  /** The adapter given, else `undefined`: the server makes a memory adapter of `bufferSize`. */
  adapter: Adapter | undefined
  bufferSize: number | undefined
  writeTimeoutMs: number
  heartbeatMs: number
  pollTimeoutMs: number
  maxClientBufferBytes: number
  maxBodyBytes: number
  retryMs: number | undefined
  cors: PushServerCors | undefined
  authorize: PushServerOptions['authorize']
  onMessage: PushServerOptions['onMessage']
  path: string | undefined
  trustProxy: boolean
}

// Who takes the options, for the errors that name them.
const SERVER = 'createPushServer()'

const DEFAULTS = {
  heartbeatMs: 15000,
  pollTimeoutMs: 25000,
  maxClientBufferBytes: 1024 * 1024,
  maxBodyBytes: 64 * 1024,
  writeTimeoutMs: 30000,
}

/** The ring buffer is an array, and arrays hold at most 2^32 - 1 entries. */
export const MAX_BUFFER_SIZE = 4294967295

/**
 * `value` when it is an integer from 1 to `max`, `fallback` when undefined; otherwise a
 * TypeError naming the function that takes the option (`owner`, e.g. `'memoryAdapter()'`),
 * the option and what it accepts.
 */
export function positiveInteger(owner: string, name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`pushwire/server: ${owner} option \`${name}\` must be an integer from 1 to ${max}, got ${String(value)}`)
  }
  return value
}

function optionalFunction<T>(name: string, value: T): T {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`pushwire/server: createPushServer() option \`${name}\` must be a function, got ${typeof value}`)
  }
  return value
}

/** Whether `entry` is written as browsers send `Origin`: a trailing slash or a capital never matches. */
function isOriginEntry(entry: string): boolean {
  if (entry === '*') return true
  try {
    return new URL(entry).origin === entry
  } catch {
    return false
  }
}

function resolveCors(cors: PushServerCors | undefined): PushServerCors | undefined {
  if (cors === undefined) return undefined
  if (cors === null || typeof cors !== 'object') {
    throw new TypeError('pushwire/server: createPushServer() option `cors` must be an object `{ origin, credentials? }`')
  }
  const { origin, credentials } = cors
  const validOrigin =
    typeof origin === 'string' ||
    typeof origin === 'function' ||
    (Array.isArray(origin) && origin.every((entry) => typeof entry === 'string'))
  if (!validOrigin) {
    throw new TypeError('pushwire/server: createPushServer() option `cors.origin` must be a string, an array of strings or a function')
  }
  const unmatchable = (typeof origin === 'function' ? [] : ([] as string[]).concat(origin)).filter((entry) => !isOriginEntry(entry))
  if (unmatchable.length) {
    throw new TypeError(
      `pushwire/server: createPushServer() option \`cors.origin\` must hold '*' or origins such as 'https://app.example' (scheme, lowercase host, port; no path or trailing slash), got '${unmatchable[0]}'`,
    )
  }
  if (credentials !== undefined && typeof credentials !== 'boolean') {
    throw new TypeError('pushwire/server: createPushServer() option `cors.credentials` must be true or false')
  }
  const wildcard = origin === '*' || (Array.isArray(origin) && origin.indexOf('*') !== -1)
  if (wildcard && credentials) {
    // Browsers reject `Access-Control-Allow-Origin: *` on credentialed requests, and echoing
    // every origin instead would hand any site the user's cookies.
    throw new TypeError("pushwire/server: createPushServer() option `cors.origin` cannot be '*' when `cors.credentials` is true; list the allowed origins")
  }
  return { origin, credentials: !!credentials }
}

/** Validates `options` (TypeError naming the option and what it accepts) and applies defaults. */
export function resolveServerOptions(options: PushServerOptions = {}): ResolvedServerOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('pushwire/server: createPushServer() options must be an object')
  }
  const { retryMs, path, trustProxy, adapter } = options
  if (adapter !== undefined && !isAdapter(adapter)) {
    throw new TypeError('pushwire/server: createPushServer() option `adapter` must be made by memoryAdapter() or redisStreamsAdapter()')
  }
  if (adapter !== undefined && options.bufferSize !== undefined) {
    throw new TypeError('pushwire/server: createPushServer() option `bufferSize` is the memory adapter\'s; with `adapter` set, pass it as memoryAdapter({ bufferSize })')
  }
  if (retryMs !== undefined && (typeof retryMs !== 'number' || !Number.isInteger(retryMs) || retryMs < 0 || retryMs > MAX_TIMER_MS)) {
    throw new TypeError(`pushwire/server: createPushServer() option \`retryMs\` must be an integer from 0 to ${MAX_TIMER_MS}, got ${String(retryMs)}`)
  }
  // A query or fragment is never part of a request's pathname, so such a path would match nothing.
  if (path !== undefined && (typeof path !== 'string' || !/^\/[^?#]*$/.test(path))) {
    throw new TypeError(`pushwire/server: createPushServer() option \`path\` must be a pathname starting with '/' (no query or fragment), got ${String(path)}`)
  }
  if (trustProxy !== undefined && typeof trustProxy !== 'boolean') {
    throw new TypeError(`pushwire/server: createPushServer() option \`trustProxy\` must be true or false, got ${JSON.stringify(trustProxy) ?? String(trustProxy)}`)
  }
  return {
    adapter,
    bufferSize: options.bufferSize === undefined ? undefined : positiveInteger(SERVER, 'bufferSize', options.bufferSize, 1, MAX_BUFFER_SIZE),
    writeTimeoutMs: positiveInteger(SERVER, 'writeTimeoutMs', options.writeTimeoutMs, DEFAULTS.writeTimeoutMs, MAX_TIMER_MS),
    heartbeatMs: positiveInteger(SERVER, 'heartbeatMs', options.heartbeatMs, DEFAULTS.heartbeatMs, MAX_TIMER_MS),
    pollTimeoutMs: positiveInteger(SERVER, 'pollTimeoutMs', options.pollTimeoutMs, DEFAULTS.pollTimeoutMs, MAX_TIMER_MS),
    maxClientBufferBytes: positiveInteger(SERVER, 'maxClientBufferBytes', options.maxClientBufferBytes, DEFAULTS.maxClientBufferBytes),
    maxBodyBytes: positiveInteger(SERVER, 'maxBodyBytes', options.maxBodyBytes, DEFAULTS.maxBodyBytes),
    retryMs,
    cors: resolveCors(options.cors),
    authorize: optionalFunction('authorize', options.authorize),
    onMessage: optionalFunction('onMessage', options.onMessage),
    path,
    trustProxy: trustProxy === true,
  }
}
