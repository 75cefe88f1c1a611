import type { TransportEnv } from '../types'

type Global = Partial<TransportEnv> & { addEventListener?: Window['addEventListener'] }

/** The global object, read lazily so that importing pushwire never touches it. */
export function globalScope(): Global | undefined {
  if (typeof self !== 'undefined') return self as unknown as Global
  if (typeof globalThis !== 'undefined') return globalThis as unknown as Global
  return undefined
}

/**
 * The implementations the transports use: the injected ones, else the globals of this
 * moment (a test or polyfill may install them after pushwire loaded). `fetch` is bound
 * because browsers throw "Illegal invocation" when it is called off its global.
 */
export function resolveEnv(injected: TransportEnv): TransportEnv {
  const scope = globalScope()
  const globalFetch = scope && typeof scope.fetch === 'function' ? scope.fetch.bind(scope) : undefined
  return {
    fetch: injected.fetch || globalFetch,
    WebSocket: injected.WebSocket || (scope && scope.WebSocket),
    EventSource: injected.EventSource || (scope && scope.EventSource),
    XMLHttpRequest: injected.XMLHttpRequest || (scope && scope.XMLHttpRequest),
  }
}
