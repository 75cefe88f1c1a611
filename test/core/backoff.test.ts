import { describe, expect, it } from 'vitest'
import { computeDelay } from '../../src/core/backoff'

const RETRY = { initialDelayMs: 1000, maxDelayMs: 30000, factor: 2, jitter: 0.5, maxAttempts: Infinity }

describe('computeDelay', () => {
  it('grows exponentially and caps', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => computeDelay(attempt, 1000, RETRY, 0))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ])
  })

  it('takes up to `jitter` of the delay away, never adds', () => {
    expect(computeDelay(1, 1000, RETRY, 0.998)).toBe(501)
    expect(computeDelay(6, 1000, RETRY, 0.5)).toBe(22500)
    expect(computeDelay(3, 1000, { ...RETRY, jitter: 0 }, 0.9)).toBe(4000)
  })
})
