import type { Transport } from '../types'

// localStorage, not sessionStorage: what forced a fallback (a buffering proxy, a firewall that
// drops WebSockets) belongs to the machine's network, which new tabs and a restarted browser
// share; with sessionStorage every new tab would pay the failed opens again.
const KEY = 'pushwire:transport:'
/**
 * How long a remembered transport goes first, counted from when it was learned, as in Pusher's
 * transport cache: the network may have changed since, or the fallback may have come from a
 * server outage rather than the path (a page loaded while the server restarted).
 */
const REMEMBER_MS = 18e5

/**
 * The entry for `url`. The browser keeps one storage per origin; the query is left out, so a
 * token in it (a new one on every load) reuses one entry instead of adding one per token.
 */
function keyOf(url: string): string {
  return KEY + url.split('?')[0]
}

/**
 * Index in `candidates` of the transport that last worked for `url`, or 0 (none, or expired).
 * Removes every expired entry on the way: nothing else would remove that of a path never
 * visited again (a stream per room, say), and they would pile up in the origin's storage.
 */
export function recallTransport(url: string, candidates: readonly Transport[]): number {
  const own = keyOf(url)
  let index = 0
  try {
    // No storage (Node, workers) or one that refuses (sandboxed iframes, blocked site data)
    // throws here, and the client starts from the first. Downwards, so that a removal does not
    // move the keys still to come.
    for (let i = localStorage.length; i--; ) {
      const key = localStorage.key(i) as string
      if (key.indexOf(KEY)) continue
      // `<expiry> <name>`
      const entry = (localStorage.getItem(key) as string).split(' ')
      if (!(+entry[0] > Date.now())) localStorage.removeItem(key)
      else if (key === own) {
        candidates.forEach((transport, j) => {
          if (transport.name === entry[1]) index = j
        })
      }
    }
  } catch {
    // Nothing remembered.
  }
  return index
}

/**
 * Called when a client learned that `candidates[index]` is what opens for `url`: later clients
 * start with it for the next 30 minutes, unless it is the first anyway (then whatever was
 * remembered is forgotten).
 */
export function rememberTransport(url: string, candidates: readonly Transport[], index: number): void {
  try {
    if (index) localStorage.setItem(keyOf(url), Date.now() + REMEMBER_MS + ' ' + candidates[index].name)
    else localStorage.removeItem(keyOf(url))
  } catch {
    // A full or refusing storage (Safari's private mode before 11): the next load starts cold.
  }
}
