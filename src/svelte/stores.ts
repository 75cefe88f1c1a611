import { readable, type Readable } from 'svelte/store'
import { createPushClient, type EventMap, type EventType, type PushClient, type PushClientOptions, type PushStatus } from '../index'
import { IDLE_STATUS, type MessageOf } from '../frameworks/common'

/** A client, or a {@link pushClient} store of one. */
export type PushClientSource<E extends object> = PushClient<E> | Readable<PushClient<E>>

// Reserved (RFC 2606), so it cannot be reached: the client that uses it never connects.
const SERVER_RENDER_ORIGIN = 'http://server-render.invalid'

const isAbsolute = (url: string) => /^[a-z][a-z\d+.-]*:/i.test(url)

/** Server rendering: a relative URL and no page (or worker) location to resolve it against. */
function hasUnresolvableUrl({ url, websocketUrl }: PushClientOptions): boolean {
  const relative = (url && !isAbsolute(url)) || (websocketUrl && !isAbsolute(websocketUrl))
  return !!relative && typeof document === 'undefined' && typeof location === 'undefined'
}

/**
 * The client would reject a URL it cannot resolve. Nothing connects during server rendering,
 * so the store there holds a client that never connects, its URLs resolved against a placeholder.
 */
function resolvedForServer(options: PushClientOptions): PushClientOptions {
  const resolve = (url: string) => new URL(url, SERVER_RENDER_ORIGIN).href
  return { ...options, url: resolve(options.url), websocketUrl: options.websocketUrl && resolve(options.websocketUrl) }
}

/**
 * A store holding one client that connects when the first subscriber arrives and closes after
 * the last one leaves. Connecting waits a microtask, so a subscription that ends at once
 * (server rendering, `get(store)`) opens nothing and leaves the status `idle`.
 *
 * @example
 * const client = pushClient<DishEvents>({ url: '/stream', decode: 'json' })
 * const status = pushStatus(client)
 * const dish = pushMessage(client, 'dish')
 */
export function pushClient<E extends object = EventMap>(options: PushClientOptions): Readable<PushClient<E>> {
  if (hasUnresolvableUrl(options)) return readable(createPushClient<E>({ ...resolvedForServer(options), lazy: true }))
  // Made here, lazily, so bad options throw where the store is created.
  const client = createPushClient<E>({ ...options, lazy: true })
  return readable(client, () => {
    let subscribed = true
    let connected = false
    Promise.resolve().then(() => {
      if (!subscribed) return
      connected = true
      client.connect()
    })
    return () => {
      subscribed = false
      if (connected) client.close()
    }
  })
}

function isStore<E extends object>(source: PushClientSource<E>): source is Readable<PushClient<E>> {
  return typeof (source as Readable<PushClient<E>>).subscribe === 'function'
}

/** Runs `attach` on the client of `source` while subscribed; returns the undo. */
function withClient<E extends object>(source: PushClientSource<E>, attach: (client: PushClient<E>) => () => void): () => void {
  if (!isStore(source)) return attach(source)
  let detach: (() => void) | undefined
  const unsubscribe = source.subscribe((client) => {
    if (detach) detach()
    detach = attach(client)
  })
  return () => {
    if (detach) detach()
    unsubscribe()
  }
}

/**
 * The client's status, `{ state, transport, attempt, error }`; `idle` until it connects.
 * Subscribing to it subscribes to a {@link pushClient} store, which connects it.
 */
export function pushStatus<E extends object>(source: PushClientSource<E>): Readable<PushStatus> {
  return readable(IDLE_STATUS, (set) =>
    withClient(source, (client) => {
      set(client.status)
      return client.onStatus(set)
    }),
  )
}

/** The latest message of `type` (`'*'` for any), or `undefined` until one arrives. */
export function pushMessage<E extends object, K extends EventType<E> | '*'>(
  source: PushClientSource<E>,
  type: K,
): Readable<MessageOf<E, K> | undefined> {
  return readable<MessageOf<E, K> | undefined>(undefined, (set) =>
    withClient(source, (client) => client.on(type as string, (message) => set(message as MessageOf<E, K>))),
  )
}
