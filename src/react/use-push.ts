import { useCallback } from 'react'
import { PushError, type EventMap, type EventType, type PushClient, type PushClientOptions, type PushStatus } from '../index'
import { usePushClient } from './use-push-client'
import { usePushMessage } from './use-push-event'
import { usePushStatus } from './use-push-status'
import type { MessageOf } from '../frameworks/common'

/** What {@link usePush} returns. */
export interface UsePushResult<E extends object, K extends string> {
  /** The client, or `null` before mount and while the options are `null`. */
  client: PushClient<E> | null
  status: PushStatus
  /** The latest message of the requested type. */
  lastMessage: MessageOf<E, K> | undefined
  /** Sends upstream; rejects with a `network` PushError while there is no client. */
  send: (data: string | object) => Promise<void>
}

/**
 * One client, its status and the latest message of `type`, in one call.
 *
 * @example
 * const { status, lastMessage } = usePush<DishEvents, 'dish'>({ url: '/stream', decode: 'json' }, 'dish')
 */
export function usePush<E extends object = EventMap, K extends EventType<E> | '*' = EventType<E>>(
  options: PushClientOptions | null,
  type: K,
): UsePushResult<E, K> {
  const client = usePushClient<E>(options)
  const status = usePushStatus(client)
  const lastMessage = usePushMessage(client, type)
  const send = useCallback(
    (data: string | object) =>
      client ? client.send(data) : Promise.reject(new PushError('network', 'send() before the client was made')),
    [client],
  )
  return { client, status, lastMessage, send }
}
