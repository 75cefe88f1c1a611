import { check } from '../options'
import type { ShareAcrossTabsOptions, TabShare } from '../types'
import { createSharedClient } from './relay'

/**
 * The value of the `share` option: clients in tabs, windows, iframes and workers of this
 * origin that share a `key` (by default the resolved `url`) hold one server connection between
 * them. One tab leads and runs the connection; the others follow over `BroadcastChannel`, and
 * one of them takes over when the leader's tab closes, navigates, crashes or is frozen. Where
 * there is no `BroadcastChannel` (IE11-class browsers; opaque origins refuse one) each client
 * connects by itself.
 *
 * @example
 * const client = createPushClient({ url: '/stream', share: shareAcrossTabs() })
 * client.onStatus((s) => (badge.textContent = s.role ?? ''))
 */
export function shareAcrossTabs(options: ShareAcrossTabsOptions = {}): TabShare {
  const { key, url } = (options || {}) as ShareAcrossTabsOptions & { url?: unknown }
  // `share: shareAcrossTabs`, not called: createPushClient calls it with the client's options.
  check('share', url === undefined, 'the value of shareAcrossTabs()')
  check('key', key === undefined || (typeof key === 'string' && key), 'a non-empty string')
  return (clientOptions) => createSharedClient(clientOptions, key)
}
