import type { ChannelLike, Election, ElectionEvents } from './election'

/** How long the channel election waits for what, in milliseconds. */
export interface ChannelElectionTiming {
  /** A joining tab that hears no leader for this long claims the lead. */
  probeMs: number
  /** A claim must stand unopposed this long before the claimer leads (and connects). */
  settleMs: number
  /** The leader says it is alive this often. */
  heartbeatMs: number
  /** A follower that has not heard the leader for this long claims the lead. */
  leaseMs: number
  /** After a leader's goodbye, followers claim at a random moment within this. */
  jitterMs: number
}

export const CHANNEL_ELECTION_TIMING: ChannelElectionTiming = {
  probeMs: 150,
  settleMs: 50,
  heartbeatMs: 1000,
  leaseMs: 3000,
  jitterMs: 50,
}

interface ElectionMessage {
  k: 'who' | 'lead' | 'bye'
  from: string
  /** When the sender claimed the lead: of two claims, the earlier one stands. */
  since: number
}

/**
 * Elects over a `BroadcastChannel`, where the Web Locks API is missing (insecure origins,
 * older browsers). A tab claims the lead when it has heard no leader for a while: on joining
 * (after asking `who` leads), after the leader's goodbye, or when the leader's heartbeat has
 * stopped (a crashed or frozen tab). Claims meet on the channel and the later one yields at
 * once; a live leader answers any claim, even where its timers are throttled (background
 * tabs), so two leaders never last longer than a message takes.
 */
export function createChannelElection(
  channel: ChannelLike,
  id: string,
  events: ElectionEvents,
  timing: ChannelElectionTiming = CHANNEL_ELECTION_TIMING,
): Election {
  let state: 'out' | 'following' | 'claiming' | 'leading' = 'out'
  let since = 0
  let leader: string | undefined
  let timer: ReturnType<typeof setTimeout> | undefined

  function post(k: ElectionMessage['k']): void {
    channel.postMessage({ k, from: id, since } satisfies ElectionMessage)
  }

  function after(ms: number, action: () => void): void {
    clearTimeout(timer)
    timer = setTimeout(action, ms)
  }

  /** Follows `from` (nobody yet when undefined), and claims if no leader speaks for `ms`. */
  function follow(from: string | undefined, ms: number): void {
    const deposed = state === 'leading'
    state = 'following'
    leader = from
    after(ms, claim)
    if (deposed) events.follow()
  }

  function claim(): void {
    state = 'claiming'
    since = Date.now()
    post('lead')
    after(timing.settleMs, () => {
      state = 'leading'
      heartbeat()
      events.lead()
    })
  }

  function heartbeat(): void {
    post('lead')
    after(timing.heartbeatMs, heartbeat)
  }

  channel.onmessage = ({ data }: MessageEvent<ElectionMessage>) => {
    const claimed = state === 'claiming' || state === 'leading'
    if (state === 'out') return
    if (data.k === 'who') {
      if (claimed) post('lead')
    } else if (data.k === 'lead') {
      // Of two claims the earlier stands; the other side yields when it hears this answer.
      if (claimed && (data.since > since || (data.since === since && data.from > id))) post('lead')
      else follow(data.from, timing.leaseMs)
    } else if (data.from === leader) {
      follow(undefined, Math.random() * timing.jitterMs)
    }
  }

  return {
    join() {
      if (state !== 'out') return
      post('who')
      follow(undefined, timing.probeMs)
    },
    leave() {
      if (state === 'claiming' || state === 'leading') post('bye')
      state = 'out'
      leader = undefined
      clearTimeout(timer)
    },
  }
}
