// The page cache of the Redis adapter's history reads: pages read for one resume point are
// shared for a second, and keeping them must stay cheap when every client resumes elsewhere.
import { describe, expect, it } from 'vitest'
import { createPageCache, type CachedPage } from '../../src/server/adapters/redis-page-cache'

const REUSE_MS = 1000

/** A page of `chars` characters read at `readAt`; `visits.count` goes up each time the cache looks at when it was read. */
function page(readAt: number, chars: number, visits = { count: 0 }): CachedPage<number> {
  return {
    get readAt() {
      visits.count++
      return readAt
    },
    page: Promise.resolve(chars),
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('history page cache', () => {
  it('serves a page read from the same cursor within reuseMs, and reads again after', () => {
    const cache = createPageCache<number>(REUSE_MS, 1e6, (chars) => chars)
    const first = page(0, 10)
    cache.add('1-0', first)
    expect(cache.fresh('1-0', REUSE_MS - 1)).toBe(first)
    expect(cache.fresh('2-0', REUSE_MS - 1)).toBeUndefined()
    expect(cache.fresh('1-0', REUSE_MS)).toBeUndefined()
  })

  it('looks at a page or two per read, not at every page kept, when each client resumes from another place', () => {
    const cache = createPageCache<number>(REUSE_MS, 1e12, (chars) => chars)
    const visits = { count: 0 }
    const resumePoints = 20000
    // One tick of a reconnect storm: each read misses, and its page is kept for the next second.
    for (let i = 0; i < resumePoints; i++) {
      expect(cache.fresh(`${i}-0`, 5)).toBeUndefined()
      cache.add(`${i}-0`, page(5, 100, visits))
    }
    expect(visits.count).toBeLessThanOrEqual(resumePoints)
    // A second later every one of them has expired: each is looked at once more, as it is forgotten.
    visits.count = 0
    expect(cache.fresh('0-0', 5 + REUSE_MS)).toBeUndefined()
    expect(visits.count).toBe(resumePoints)
  })

  it('forgets the oldest pages first while it holds more than maxBytes', async () => {
    const cache = createPageCache<number>(REUSE_MS, 250, (chars) => chars)
    for (let i = 0; i < 4; i++) cache.add(`${i}-0`, page(i, 100))
    await settle()
    // 400 characters kept: the two oldest go, and the two newest stay (200 ≤ 250).
    expect(cache.fresh('3-0', 4)).toBeDefined()
    expect(cache.fresh('0-0', 4)).toBeUndefined()
    expect(cache.fresh('1-0', 4)).toBeUndefined()
    expect(cache.fresh('2-0', 4)).toBeDefined()
  })

  it('forgets a read that failed, and a page read again replaces the one before', async () => {
    const cache = createPageCache<number>(REUSE_MS, 1e6, (chars) => chars)
    const failed: CachedPage<number> = { readAt: 0, page: Promise.reject(new Error('Redis unreachable')) }
    failed.page.catch(() => {})
    cache.add('1-0', failed)
    await settle()
    expect(cache.fresh('1-0', 1)).toBeUndefined()
    const older = page(1, 10)
    const newer = page(2, 10)
    cache.add('2-0', older)
    cache.add('2-0', newer)
    expect(cache.fresh('2-0', 3)).toBe(newer)
  })
})
