import { useEffect, useInsertionEffect, useRef, useState } from 'react'
import type { EventType, PushClient } from '../index'
import type { MessageOf } from '../frameworks/common'

/**
 * Calls `handler` for every event of `type` (`'*'` for all). The latest `handler` is called,
 * so an inline function does not resubscribe on every render.
 */
export function usePushEvent<E extends object, K extends EventType<E> | '*'>(
  client: PushClient<E> | null,
  type: K,
  handler: (message: MessageOf<E, K>) => void,
): void {
  const latest = useRef(handler)
  useInsertionEffect(() => {
    latest.current = handler
  })
  useEffect(() => {
    if (!client) return
    return client.on(type as string, (message) => latest.current(message as MessageOf<E, K>))
  }, [client, type])
}

interface Received<E extends object, K extends string> {
  client: PushClient<E>
  type: K
  message: MessageOf<E, K>
}

/** The latest message of `type` from this client, or `undefined` until one arrives. */
export function usePushMessage<E extends object, K extends EventType<E> | '*'>(
  client: PushClient<E> | null,
  type: K,
): MessageOf<E, K> | undefined {
  const [received, setReceived] = useState<Received<E, K> | null>(null)
  usePushEvent(client, type, (message) => {
    if (client) setReceived({ client, type, message })
  })
  // A message of another client or type is not "the latest of this one".
  return received && received.client === client && received.type === type ? received.message : undefined
}
