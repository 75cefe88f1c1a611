import { PushError } from '../errors'
import { MAX_TIMER_MS } from '../constants'

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds from `now`.
 * Returns `undefined` for a missing or unreadable value.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  const trimmed = (header || '').trim()
  let ms = NaN
  if (/^\d+$/.test(trimmed)) ms = parseInt(trimmed, 10) * 1000
  // Date.parse also reads numbers such as "1.5" or "-1" as dates long past (a wait of 0);
  // every HTTP date names its month.
  else if (/[a-z]/i.test(trimmed)) ms = Date.parse(trimmed) - now
  // Capped: past the longest delay setTimeout keeps, the client would retry at once.
  return isNaN(ms) ? undefined : Math.min(Math.max(0, ms), MAX_TIMER_MS)
}

/** Characters of an error response's body that its error message quotes. */
const MAX_QUOTED_CHARS = 200

/**
 * The error for a response that did not open a stream: 204 stops for good, 401/403 are
 * `auth`, others `http`; each with `Retry-After` when the server sent one, and the message
 * quoting the start of `body` (whitespace folded, at most {@link MAX_QUOTED_CHARS} characters).
 */
export function httpStatusError(status: number, retryAfter: string | null, request: string, body = ''): PushError {
  const code = status === 204 ? 'closed-by-server' : status === 401 || status === 403 ? 'auth' : 'http'
  const said = body.replace(/\s+/g, ' ').trim()
  const quote = said.length > MAX_QUOTED_CHARS ? said.slice(0, MAX_QUOTED_CHARS) + '…' : said
  return new PushError(code, `${status} from ${request}${quote && ': ' + quote}`, {
    status,
    retryAfterMs: parseRetryAfter(retryAfter, Date.now()),
  })
}
