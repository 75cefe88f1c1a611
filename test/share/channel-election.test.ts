import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CHANNEL_ELECTION_TIMING, createChannelElection, LEAD, type ElectionMessage } from '../../src/share/channel-election'
import type { Election } from '../../src/share/election'
import { FakeBroadcastChannel, FakeTab, inTab, installFakeTabs } from './fake-tabs'

const { probeMs, settleMs, heartbeatMs, leaseMs, jitterMs } = CHANNEL_ELECTION_TIMING

/** The part of a channel a candidate uses: it posts its election's messages and hands on those it gets. */
interface ChannelLike {
  postMessage(message: ElectionMessage): void
  onmessage: ((event: MessageEvent<ElectionMessage>) => void) | null
  close(): void
}

interface Candidate {
  tab: FakeTab
  election: Election
  channel: ChannelLike
  /** `lead` and `follow` calls, in order. */
  calls: string[]
  /** Whether it leads: told to lead, and neither told to follow nor left since. */
  leading: boolean
}

async function candidate(name: string, channelOf: (channel: FakeBroadcastChannel) => ChannelLike = (channel) => channel): Promise<Candidate> {
  const tab = new FakeTab(name)
  const calls: string[] = []
  const channel = await inTab(tab, () => channelOf(new FakeBroadcastChannel('election')))
  const one: Candidate = {
    tab,
    channel,
    calls,
    leading: false,
    election: createChannelElection((message) => channel.postMessage(message), name, {
      lead() {
        calls.push('lead')
        one.leading = true
      },
      follow() {
        calls.push('follow')
        one.leading = false
      },
    }),
  }
  channel.onmessage = (event) => one.election.receive(event.data)
  const leave = one.election.leave
  one.election.leave = () => {
    one.leading = false
    leave()
  }
  return one
}

function leaders(...candidates: Candidate[]): string[] {
  return candidates.filter((one) => one.leading).map((one) => one.tab.name)
}

describe('channel election', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    installFakeTabs(false)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('lets a tab alone lead once nobody answered its probe and its claim stood', async () => {
    const a = await candidate('a')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs - 1)
    expect(a.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(a.calls).toEqual(['lead'])
  })

  it('makes a joining tab follow the leader that answers, for as long as it beats', async () => {
    const a = await candidate('a')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    const b = await candidate('b')
    b.election.join()
    await vi.advanceTimersByTimeAsync(10 * leaseMs)
    expect(leaders(a, b)).toEqual(['a'])
    expect(b.calls).toEqual([])
  })

  it('hands the lead to exactly one follower when the leader says goodbye', async () => {
    const a = await candidate('a')
    const b = await candidate('b')
    const c = await candidate('c')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    b.election.join()
    c.election.join()
    await vi.advanceTimersByTimeAsync(heartbeatMs)
    a.election.leave()
    await vi.advanceTimersByTimeAsync(jitterMs + settleMs + 10)
    expect(leaders(a, b, c)).toHaveLength(1)
    expect(leaders(a, b, c)[0]).not.toBe('a')
    await vi.advanceTimersByTimeAsync(10 * leaseMs)
    expect(leaders(a, b, c)).toHaveLength(1)
  })

  it('replaces a leader that went silent (a crashed or frozen tab) after its lease, not before', async () => {
    const a = await candidate('a')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    const b = await candidate('b')
    b.election.join()
    await vi.advanceTimersByTimeAsync(heartbeatMs)
    // Right after a heartbeat: the lease runs from there.
    a.tab.crash()
    await vi.advanceTimersByTimeAsync(leaseMs - 10)
    expect(b.calls).toEqual([])
    await vi.advanceTimersByTimeAsync(settleMs + 20)
    expect(b.calls).toEqual(['lead'])
  })

  it('keeps the lead with a live leader whose heartbeats were late: it answers the claim', async () => {
    const a = await candidate('a')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    // b misses a's heartbeats (a throttled background tab beats late), until b claims.
    let claimed = false
    const b = await candidate('b', (channel) => {
      const lossy: ChannelLike = {
        postMessage(message) {
          if (message[0] === LEAD) claimed = true
          channel.postMessage(message)
        },
        onmessage: null,
        close: () => channel.close(),
      }
      channel.onmessage = (event) => {
        if (!claimed && event.data[1] === 'a') return
        lossy.onmessage?.(event)
      }
      return lossy
    })
    b.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + leaseMs + settleMs)
    expect(claimed).toBe(true)
    expect(b.calls).toEqual([])
    expect(a.calls).toEqual(['lead'])
  })

  it('resolves simultaneous claims to one leader: at once when they meet before settling, else at the first answer', async () => {
    const a = await candidate('a')
    const b = await candidate('b')
    a.election.join()
    b.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs + 10)
    expect(leaders(a, b)).toEqual(['a'])
    expect(b.calls).toEqual([])

    a.election.leave()
    b.election.leave()
    // Messages slower than the settle time: both lead for a moment, then the later claim yields.
    FakeBroadcastChannel.latencyMs = settleMs * 3
    a.election.join()
    await vi.advanceTimersByTimeAsync(1)
    b.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    expect(leaders(a, b)).toEqual(['a', 'b'])
    await vi.advanceTimersByTimeAsync(FakeBroadcastChannel.latencyMs * 2)
    expect(leaders(a, b)).toEqual(['a'])
    expect(b.calls.slice(-2)).toEqual(['lead', 'follow'])
  })

  it('says nothing and leads nothing once it has left', async () => {
    const a = await candidate('a')
    a.election.join()
    await vi.advanceTimersByTimeAsync(probeMs + settleMs)
    a.election.leave()
    a.election.leave()
    const posted = vi.spyOn(a.channel, 'postMessage')
    const b = await candidate('b')
    b.election.join()
    await vi.advanceTimersByTimeAsync(10 * leaseMs)
    expect(b.calls).toEqual(['lead'])
    expect(a.calls).toEqual(['lead'])
    expect(posted).not.toHaveBeenCalled()
  })
})
