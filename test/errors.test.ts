import { describe, expect, it } from 'vitest'
import { isPushError, PushError } from '../src/errors'

describe('PushError', () => {
  it('carries code and details, its message as given', () => {
    const cause = new TypeError('fetch failed')
    const error = new PushError('http', '503 from GET http://x/stream', { status: 503, retryAfterMs: 1000, cause })
    expect(error).toMatchObject({ name: 'PushError', code: 'http', status: 503, retryAfterMs: 1000, cause })
    expect(error.message).toBe('503 from GET http://x/stream')
    expect(error).toBeInstanceOf(Error)
    expect(isPushError(error)).toBe(true)
  })

  it('keeps the names of URL parameters in its message, never their values', () => {
    const message = (text: string) => new PushError('network', text).message
    expect(message('GET https://x/s?token=abc&lastEventId=12:30#top failed')).toBe('GET https://x/s?token=***&lastEventId=***#top failed')
    expect(message('401 from GET https://x/s?transport=long-poll: Unauthorized')).toBe('401 from GET https://x/s?transport=***: Unauthorized')
    expect(message('wss://x/s?a=1&b=&c closed (code 1006)')).toBe('wss://x/s?a=***&b=***&c closed (code 1006)')
    expect(message('no data for 45000 ms')).toBe('no data for 45000 ms')
  })
})

describe('isPushError', () => {
  it('knows the errors of another copy of pushwire too, by name and code', () => {
    const fromAnotherCopy = Object.assign(new Error('dropped'), { name: 'PushError', code: 'network' })
    expect(isPushError(fromAnotherCopy)).toBe(true)
  })

  it('refuses other errors and look-alikes that are not errors', () => {
    expect(isPushError(new Error('PushError'))).toBe(false)
    expect(isPushError(Object.assign(new Error('x'), { name: 'PushError' }))).toBe(false)
    expect(isPushError({ name: 'PushError', code: 'network' })).toBe(false)
    expect(isPushError(undefined)).toBe(false)
  })
})
