import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Election } from '../../src/share/election'
import { createLockElection } from '../../src/share/lock-election'
import { FakeLocks, FakeTab, inTab, installFakeTabs } from './fake-tabs'

interface Candidate {
  tab: FakeTab
  election: Election
  calls: string[]
}

let locks: FakeLocks

function candidate(name: string): Candidate {
  const calls: string[] = []
  return { tab: new FakeTab(name), calls, election: createLockElection(locks as unknown as LockManager, 'pushwire:test', { lead: () => calls.push('lead'), follow: () => calls.push('follow') }) }
}

/** Joins in the candidate's tab, which its lock request belongs to. */
const join = (one: Candidate) => inTab(one.tab, () => one.election.join())
const settle = () => vi.advanceTimersByTimeAsync(10)

describe('lock election', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    locks = installFakeTabs(true) as FakeLocks
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('lets the first tab lead and the next one lead when it leaves', async () => {
    const a = candidate('a')
    const b = candidate('b')
    await join(a)
    await join(b)
    await settle()
    expect([a.calls, b.calls]).toEqual([['lead'], []])
    a.election.leave()
    await settle()
    expect(b.calls).toEqual(['lead'])
    expect(locks.holder('pushwire:test')).toBe(b.tab)
  })

  it('passes the lead on when the leading tab crashes', async () => {
    const a = candidate('a')
    const b = candidate('b')
    await join(a)
    await join(b)
    await settle()
    a.tab.crash()
    await settle()
    expect(b.calls).toEqual(['lead'])
  })

  it('never leads after leaving, whether it was queued or granted meanwhile', async () => {
    const a = candidate('a')
    const b = candidate('b')
    const c = candidate('c')
    await join(a)
    await join(b)
    await join(c)
    // b leaves while queued, c before its grant could run.
    b.election.leave()
    await settle()
    a.election.leave()
    c.election.leave()
    await settle()
    expect([a.calls, b.calls, c.calls]).toEqual([['lead'], [], []])
    expect(locks.holder('pushwire:test')).toBeUndefined()
  })

  it('takes part again after leaving, and ignores a second join', async () => {
    const a = candidate('a')
    await join(a)
    await join(a)
    await settle()
    a.election.leave()
    await join(a)
    await settle()
    expect(a.calls).toEqual(['lead', 'lead'])
  })
})
