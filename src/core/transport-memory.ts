import type { Transport } from '../types'

// localStorage, not sessionStorage: what forced a fallback (a buffering proxy, a firewall that
// drops WebSockets) belongs to the machine's network, which new tabs and a restarted browser
// share; sessionStorage would make every new tab pay the failed opens again.
const KEY = 'pushwire:transport:'
/**
 * How long a remembered transport goes first (as in Pusher's transport cache): the network may
 * have changed since, or the fallback may have come from a server outage rather than the path.
 */
const REMEMBER_MS = 18e5

/**
 * The key for `url`. The browser keeps one storage per origin; the query is left out, so a
 * token in it (a new one on every load) reuses one entry instead of adding one per token.
 */
function keyOf(url: string): string {
  return KEY + url.split(/[?#]/)[0]
}

/** Index in `candidates` of the transport that worked last for `url`, or 0 (none, or expired). */
export function recallTransport(url: string, candidates: readonly Transport[]): number {
  try {
    // `<expiry> <name>`. No entry, no storage (Node, workers) or a refusing one (sandboxed
    // iframes, blocked site data) all throw here: the client then starts from the first.
    const entry = localStorage.getItem(keyOf(url)) as string
    const space = entry.indexOf(' ')
    if (+entry.slice(0, space) > Date.now()) {
      for (let i = 0; i < candidates.length; i++) if (candidates[i].name === entry.slice(space + 1)) return i
    }
  } catch {
    // Nothing remembered.
  }
  return 0
}

/**
 * Called when `candidates[index]` opened for `url`: a later client starts with it, unless it is
 * the first anyway (then whatever was remembered is forgotten).
 */
export function rememberTransport(url: string, candidates: readonly Transport[], index: number): void {
  try {
    if (index) localStorage.setItem(keyOf(url), Date.now() + REMEMBER_MS + ' ' + candidates[index].name)
    else localStorage.removeItem(keyOf(url))
  } catch {
    // A full or refusing storage (Safari's private mode before 11): the next load starts cold.
  }
}
