import { PushError } from '../errors'

/**
 * Parses `Retry-After` (delay-seconds or an HTTP date) into milliseconds from `now`.
 * Returns `undefined` for a missing or unreadable value.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return parseInt(trimmed, 10) * 1000
  const date = Date.parse(trimmed)
  return isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * The error for a response that did not open a stream: 204 stops for good, 401/403 are
 * `auth`, others `http` (with `Retry-After` when the server sent one).
 */
export function httpStatusError(
  status: number,
  retryAfter: string | null | undefined,
  request: string,
): PushError {
  if (status === 204) return new PushError('closed-by-server', `204 from ${request}`, { status })
  if (status === 401 || status === 403) return new PushError('auth', `${status} from ${request}`, { status })
  return new PushError('http', `${status} from ${request}`, {
    status,
    retryAfterMs: parseRetryAfter(retryAfter, Date.now()),
  })
}

/** Whether a `Content-Type` header names an event stream. */
export function isEventStream(contentType: string | null | undefined): boolean {
  return !!contentType && contentType.toLowerCase().indexOf('text/event-stream') === 0
}
