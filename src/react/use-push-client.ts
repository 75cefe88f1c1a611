import { useEffect, useInsertionEffect, useRef, useState } from 'react'
import { createPushClient, type EventMap, type PushClient, type PushClientOptions } from '../index'
import { connectionKey, liveOptions } from '../frameworks/common'

interface MadeClient<E extends object> {
  key: string
  client: PushClient<E>
}

/**
 * A client for `options`, made after mount and closed on unmount; `null` before mount, on the
 * server, and while `options` is `null` (e.g. while waiting for a token).
 *
 * A new client replaces the old one only when `url` or `websocketUrl` changes, so an inline
 * options object is fine. `headers` and `query` are read from the latest render before every
 * connect; other options are read when the client is made.
 *
 * @example
 * const client = usePushClient<DishEvents>(token ? { url: '/stream', query: { token } } : null)
 */
export function usePushClient<E extends object = EventMap>(options: PushClientOptions | null): PushClient<E> | null {
  const latest = useRef(options)
  // Runs before any other effect of this commit, so the client below never reads stale options.
  useInsertionEffect(() => {
    latest.current = options
  })
  const key = options ? connectionKey(options) : null
  const [made, setMade] = useState<MadeClient<E> | null>(null)

  useEffect(() => {
    const initial = latest.current
    if (key === null || !initial) return
    // Closing at once (StrictMode's rehearsal unmount) happens before the client opens a socket.
    const client = createPushClient<E>(liveOptions(() => latest.current || initial))
    setMade({ key, client })
    return () => {
      client.close()
      setMade((current) => (current && current.client === client ? null : current))
    }
  }, [key])

  // During the render after a URL change the old client is still in state but already outdated.
  return made && made.key === key ? made.client : null
}
