// Shared by the React, Vue and Svelte wrappers. It imports no framework, so each wrapper's
// bundle gets only this file (tsup splits it into a common chunk).
import type { AnyPushMessage, EventData, PushClientOptions, PushMessage, PushStatus, Resolvable } from '../index'

/** The message a listener for `type` receives: one declared type, or any of them for `'*'`. */
export type MessageOf<E extends object, K extends string> = K extends '*'
  ? AnyPushMessage<E>
  : PushMessage<EventData<E, K>, K>

/** The status before any client exists: on the server, and before mount. */
export const IDLE_STATUS: PushStatus = Object.freeze({ state: 'idle', transport: null, attempt: 0 })

/**
 * What identifies a connection. A change here needs a new client; any other option is read
 * when the client is made (`headers` and `query` even before every connect, see liveOptions).
 */
export function connectionKey(options: PushClientOptions): string {
  return `${options.url} ${options.websocketUrl || ''}`
}

function readNow<T>(value: Resolvable<T> | undefined): T | Promise<T> | undefined {
  return typeof value === 'function' ? (value as () => T | Promise<T>)() : value
}

/**
 * Options for a client that outlives the render (or reactive run) that made it: `headers` and
 * `query` are read from `read()` before every connect, so a refreshed token reaches the next
 * reconnect without a new client. Whether headers are used at all is fixed at creation,
 * because it decides which transports may be used; a query may first appear later.
 */
export function liveOptions(read: () => PushClientOptions): PushClientOptions {
  const initial = read()
  const options: PushClientOptions = { ...initial, query: () => readNow(read().query) || {} }
  if (initial.headers !== undefined) options.headers = () => readNow(read().headers) || {}
  return options
}
