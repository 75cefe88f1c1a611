import { loadPeer } from './load-peer'

/** Loads `ws`, an optional peer dependency, only when WebSockets are wanted. */
export function loadWs(): typeof import('ws') {
  return loadPeer('ws', 'attach()')
}
