import type { TransportEnv } from '../types'

type Global = TransportEnv & { addEventListener?: Window['addEventListener'] }

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
  const scope: Global = globalScope() ?? {}
  return {
    fetch: injected.fetch || scope.fetch?.bind(scope),
    WebSocket: injected.WebSocket || scope.WebSocket,
    EventSource: injected.EventSource || scope.EventSource,
    XMLHttpRequest: injected.XMLHttpRequest || scope.XMLHttpRequest,
  }
}
