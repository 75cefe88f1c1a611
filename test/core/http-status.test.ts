import { describe, expect, it } from 'vitest'
import { httpStatusError, parseRetryAfter } from '../../src/core/http-status'

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('Sun, 22 Nov 2026 10:00:00 GMT')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30000)
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('3000000', now)).toBe(2147483647)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})

describe('httpStatusError', () => {
  it('names status and request once, without repeating the code', () => {
    const error = httpStatusError(401, null, 'GET http://x/stream')
    expect(error).toMatchObject({ code: 'auth', status: 401, message: '401 from GET http://x/stream' })
    expect(`${error.code} ${error.status}: ${error.message}`).toBe('auth 401: 401 from GET http://x/stream')
  })

  it('quotes what the server said, whitespace folded', () => {
    const error = httpStatusError(405, null, 'POST http://x/stream', '  Method POST is not allowed;\r\n\tuse GET\n')
    expect(error.message).toBe('405 from POST http://x/stream: Method POST is not allowed; use GET')
  })

  it('quotes at most 200 characters of a long body', () => {
    const error = httpStatusError(502, null, 'GET http://x/stream', 'x'.repeat(5000))
    expect(error.message).toBe(`502 from GET http://x/stream: ${'x'.repeat(200)}…`)
  })

  it('sorts 204, 401/403 and the rest into codes', () => {
    expect([204, 401, 403, 429, 500].map((status) => httpStatusError(status, null, 'GET /').code)).toEqual([
      'closed-by-server',
      'auth',
      'auth',
      'http',
      'http',
    ])
  })
})
