import { describe, expect, it } from 'vitest'
import { isPushError, PushError } from '../src/errors'

describe('PushError', () => {
  it('carries its code, status, Retry-After and cause, and is named PushError', () => {
    const cause = new TypeError('fetch failed')
    const error = new PushError('http', '503 from GET /stream', { status: 503, retryAfterMs: 7000, cause })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'PushError', code: 'http', status: 503, retryAfterMs: 7000, cause })
    expect(error.message).toBe('503 from GET /stream')
  })
})

describe('isPushError', () => {
  it('knows its own errors and those of another copy of pushwire, by name and code', () => {
    const fromAnotherCopy = Object.assign(new Error('dropped'), { name: 'PushError', code: 'network' })
    expect(isPushError(new PushError('network', 'dropped'))).toBe(true)
    expect(isPushError(fromAnotherCopy)).toBe(true)
  })

  it('refuses other errors and look-alikes that are not errors', () => {
    expect(isPushError(new Error('PushError'))).toBe(false)
    expect(isPushError(Object.assign(new Error('x'), { name: 'PushError' }))).toBe(false)
    expect(isPushError({ name: 'PushError', code: 'network' })).toBe(false)
    expect(isPushError(undefined)).toBe(false)
  })
})
