import type { Election, ElectionEvents } from './election'

// No value imports, and the constants first: a bundler inlines such constants where they are used.

// The kinds of the channel election's messages. They travel on the relay's channel, whose own
// kinds are numbered after these (protocol.ts).
const WHO = 0
export const LEAD = 1
const BYE = 2

/** `since`: when the sender claimed the lead. Of two claims, the earlier one stands. */
export type ElectionMessage = [kind: typeof WHO | typeof LEAD | typeof BYE, from: string, since: number]

/** A joining tab that hears no leader for this long claims the lead. */
const PROBE_MS = 150
/** A claim must stand unopposed this long before the claimer leads (and connects). */
const SETTLE_MS = 50
/** The leader says it is alive this often. */
const HEARTBEAT_MS = 1000
/** A follower that has not heard the leader for this long claims the lead. */
const LEASE_MS = 3000
/** After a leader's goodbye, followers claim at a random moment within this. */
const JITTER_MS = 50

// A tab's part: out of the election, following (or waiting to hear a leader), claiming, leading.
const OUT = 0
const FOLLOWING = 1
const CLAIMING = 2
const LEADING = 3

/** How long the channel election waits for what, in milliseconds (for tests). */
export const CHANNEL_ELECTION_TIMING = {
  probeMs: PROBE_MS,
  settleMs: SETTLE_MS,
  heartbeatMs: HEARTBEAT_MS,
  leaseMs: LEASE_MS,
  jitterMs: JITTER_MS,
}

/**
 * Elects over a `BroadcastChannel`, where the Web Locks API is missing (insecure origins,
 * older browsers): `post` sends to the other tabs, which hand what they get to `receive`. A
 * tab claims the lead when it has heard no leader for a while: on joining (after asking `who`
 * leads), after the leader's goodbye, or when the leader's heartbeat has stopped (a crashed or
 * frozen tab). Claims meet on the channel and the later one yields at once; a live leader
 * answers any claim, even where its timers are throttled (background tabs), so two leaders
 * never last longer than a message takes.
 */
export function createChannelElection(post: (message: ElectionMessage) => void, id: string, events: ElectionEvents): Election {
  let state = OUT
  let since = 0
  let leader: string | undefined
  let timer: ReturnType<typeof setTimeout> | undefined

  function say(kind: ElectionMessage[0]): void {
    post([kind, id, since])
  }

  function after(ms: number, action: () => void): void {
    clearTimeout(timer)
    timer = setTimeout(action, ms)
  }

  /** Follows `from` (nobody yet when undefined), and claims if no leader speaks for `ms`. */
  function follow(from: string | undefined, ms: number): void {
    const deposed = state === LEADING
    state = FOLLOWING
    leader = from
    after(ms, claim)
    if (deposed) events.follow()
  }

  function claim(): void {
    state = CLAIMING
    since = Date.now()
    say(LEAD)
    after(SETTLE_MS, () => {
      state = LEADING
      heartbeat()
      events.lead()
    })
  }

  function heartbeat(): void {
    say(LEAD)
    after(HEARTBEAT_MS, heartbeat)
  }

  return {
    join() {
      if (state) return
      say(WHO)
      follow(undefined, PROBE_MS)
    },
    leave() {
      if (state >= CLAIMING) say(BYE)
      state = OUT
      clearTimeout(timer)
    },
    receive([kind, from, claimed]) {
      if (!state) return
      if (kind === WHO) {
        if (state >= CLAIMING) say(LEAD)
      } else if (kind === LEAD) {
        // Of two claims the earlier stands; the other side yields when it hears this answer.
        if (state >= CLAIMING && (claimed > since || (claimed === since && from > id))) say(LEAD)
        else follow(from, LEASE_MS)
      } else if (from === leader) {
        follow(undefined, Math.random() * JITTER_MS)
      }
    },
  }
}
