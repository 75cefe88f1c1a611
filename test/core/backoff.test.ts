import { describe, expect, it } from 'vitest'
import { computeDelay, MIN_DELAY_MS } from '../../src/core/backoff'

const RETRY = { initialDelayMs: 1000, maxDelayMs: 30000, factor: 2, jitter: 0.5, maxAttempts: Infinity }
const attempts = (count: number) => Array.from({ length: count }, (_, i) => i + 1)

describe('computeDelay', () => {
  it('grows exponentially and caps', () => {
    expect(attempts(7).map((attempt) => computeDelay(attempt, 1000, RETRY, 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ])
  })

  it('takes up to `jitter` of the delay away, never adds', () => {
    expect(computeDelay(1, 1000, RETRY, 0.998)).toBe(501)
    expect(computeDelay(6, 1000, RETRY, 0.5)).toBe(22500)
    expect(computeDelay(3, 1000, { ...RETRY, jitter: 0 }, 0.9)).toBe(4000)
  })

  it('waits Retry-After exactly while it is above the floor', () => {
    expect(computeDelay(1, 1000, RETRY, 0.5, 7000)).toBe(7000)
    expect(computeDelay(3, 1000, RETRY, 0.5, 1000)).toBe(1000)
  })
})

describe('computeDelay: the floor no server can go below', () => {
  it('is 250 ms', () => {
    expect(MIN_DELAY_MS).toBe(250)
  })

  it('puts a base of `retry: 0` at the floor, still growing and jittered', () => {
    expect(attempts(9).map((attempt) => computeDelay(attempt, 0, RETRY, 0))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ])
    // Jitter never takes a delay below the floor.
    expect(computeDelay(1, 0, RETRY, 0.999)).toBe(250)
    expect(computeDelay(3, 0, RETRY, 0.999)).toBe(500)
  })

  it('grows a `Retry-After: 0` answered again and again like the backoff', () => {
    expect(attempts(9).map((attempt) => computeDelay(attempt, 1000, RETRY, 0.5, 0))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ])
  })

  it('holds for delays the app itself made tiny', () => {
    const tiny = { ...RETRY, initialDelayMs: 0, maxDelayMs: 20, jitter: 0 }
    expect(attempts(4).map((attempt) => computeDelay(attempt, 0, tiny, 0))).toEqual([250, 250, 250, 250])
    expect(attempts(3).map((attempt) => computeDelay(attempt, 0, { ...RETRY, factor: 1 }, 0))).toEqual([250, 250, 250])
  })
})
