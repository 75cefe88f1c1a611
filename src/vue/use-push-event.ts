import { toValue, watch, type MaybeRefOrGetter } from 'vue'
import type { EventType, PushClient } from '../index'
import type { MessageOf } from '../frameworks/common'

/**
 * Calls `handler` for every event of `type` (`'*'` for all) from the client, following the
 * ref when it changes. Stops with the effect scope, or when the returned function is called.
 *
 * @example
 * const { client } = usePush<DishEvents>(() => ({ url: '/stream', decode: 'json' }))
 * usePushEvent(client, 'dish', (msg) => chart.add(msg.data))
 */
export function usePushEvent<E extends object, K extends EventType<E> | '*'>(
  client: MaybeRefOrGetter<PushClient<E> | null | undefined>,
  type: K,
  handler: (message: MessageOf<E, K>) => void,
): () => void {
  return watch(
    () => toValue(client),
    (current, _, onCleanup) => {
      if (current) onCleanup(current.on(type as string, (message) => handler(message as MessageOf<E, K>)))
    },
    { immediate: true },
  )
}
