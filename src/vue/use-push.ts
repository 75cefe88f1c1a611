import {
  getCurrentInstance,
  getCurrentScope,
  onMounted,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
  type MaybeRefOrGetter,
  type ShallowRef,
} from 'vue'
import {
  createPushClient,
  PushError,
  type EventMap,
  type EventType,
  type PushClient,
  type PushClientOptions,
  type PushStatus,
} from '../index'
import { connectionKey, IDLE_STATUS, liveOptions, type MessageOf } from '../frameworks/common'

/** Second argument of {@link usePush}. */
export interface UsePushOptions<K extends string> {
  /** The event type whose latest message fills `data` and `lastMessage`. @default 'message' */
  type?: K
}

/** What {@link usePush} returns. */
export interface UsePushReturn<E extends object, K extends string> {
  /** The client, or `null` before mount, on the server, and while the options are `null`. */
  client: ShallowRef<PushClient<E> | null>
  status: ShallowRef<PushStatus>
  /** Decoded data of the latest message of the requested type. */
  data: ShallowRef<MessageOf<E, K>['data'] | undefined>
  lastMessage: ShallowRef<MessageOf<E, K> | undefined>
  /** The latest fault; cleared when the connection opens again. */
  error: ShallowRef<PushError | undefined>
  /** Sends upstream; rejects with a `network` PushError while there is no client. */
  send: (data: string | object) => Promise<void>
  /** Reopens after `close()` (a changed URL reopens by itself). */
  open: () => void
  /** Closes the connection; `open()` or a changed URL reopens it. */
  close: () => void
}

/**
 * A client for the given options, with its status and the latest message of one type as refs.
 * Connects once mounted (or at once outside a component, in a browser), makes a new client
 * when `url` or `websocketUrl` changes, and closes when the effect scope is disposed. `headers`
 * and `query` are read from the latest options before every connect.
 *
 * @example
 * const { status, data } = usePush<DishEvents, 'dish'>(() => ({ url: url.value, decode: 'json' }), { type: 'dish' })
 */
export function usePush<E extends object = EventMap, K extends EventType<E> | '*' = EventType<E>>(
  options: MaybeRefOrGetter<PushClientOptions | null | undefined>,
  { type = 'message' as K }: UsePushOptions<K> = {},
): UsePushReturn<E, K> {
  const client = shallowRef<PushClient<E> | null>(null)
  const status = shallowRef<PushStatus>(IDLE_STATUS)
  const lastMessage: ShallowRef<MessageOf<E, K> | undefined> = shallowRef()
  const data: ShallowRef<MessageOf<E, K>['data'] | undefined> = shallowRef()
  const error = shallowRef<PushError | undefined>(undefined)
  // Inside a component nothing connects before mount, and outside one (a Pinia store, say)
  // nothing connects without a window: server rendering opens nothing either way.
  const mounted = shallowRef(!getCurrentInstance() && typeof window !== 'undefined')
  let release: (() => void) | undefined

  function show(next: PushStatus): void {
    status.value = next
    if (next.error) error.value = next.error
    else if (next.state === 'open') error.value = undefined
  }

  function drop(): void {
    if (release) release()
    release = undefined
    client.value = null
    lastMessage.value = data.value = undefined
  }

  /** Without options there is no client, so nothing of the dropped one may still show. */
  function wait(): void {
    drop()
    error.value = undefined
    show(IDLE_STATUS)
  }

  function make(): void {
    drop()
    const initial = toValue(options)
    if (!initial) return wait()
    const made = createPushClient<E>(liveOptions(() => toValue(options) || initial))
    const offStatus = made.onStatus(show)
    const offMessage = made.on(type as string, (message) => {
      lastMessage.value = message as MessageOf<E, K>
      data.value = message.data as MessageOf<E, K>['data']
    })
    release = () => {
      made.close()
      offStatus()
      offMessage()
    }
    client.value = made
    show(made.status)
  }

  if (!mounted.value) onMounted(() => (mounted.value = true))
  watch(
    () => {
      const current = mounted.value && toValue(options)
      return current ? connectionKey(current) : null
    },
    (key) => (key === null ? wait() : make()),
    { immediate: true },
  )
  if (getCurrentScope()) {
    onScopeDispose(() => {
      // Not live any more: open() must not make a client that nothing would close.
      mounted.value = false
      drop()
    })
  }

  return {
    client,
    status,
    data,
    lastMessage,
    error,
    send: (payload) =>
      client.value
        ? client.value.send(payload)
        : Promise.reject(new PushError('network', 'send() before the client was made')),
    open() {
      if (client.value) client.value.connect()
      else if (mounted.value) make()
    },
    close() {
      if (client.value) client.value.close()
    },
  }
}
