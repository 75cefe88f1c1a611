import { useCallback, useSyncExternalStore } from 'react'
import type { PushClient, PushStatus } from '../index'
import { noop } from '../constants'
import { IDLE_STATUS } from '../frameworks/common'

const idle = () => IDLE_STATUS

/**
 * The client's status: `{ state, transport, attempt, error }`. The component re-renders only
 * when it changes; without a client, and during server rendering, it is `idle`.
 */
export function usePushStatus<E extends object>(client: PushClient<E> | null): PushStatus {
  const subscribe = useCallback((onChange: () => void) => (client ? client.onStatus(onChange) : noop), [client])
  // The core replaces the status object only when the status changes, as this hook requires.
  const getSnapshot = () => (client ? client.status : IDLE_STATUS)
  return useSyncExternalStore(subscribe, getSnapshot, idle)
}
