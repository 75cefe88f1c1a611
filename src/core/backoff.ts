/** Backoff settings with every field present. */
export interface ResolvedRetry {
  initialDelayMs: number
  maxDelayMs: number
  factor: number
  jitter: number
  maxAttempts: number
}

/**
 * The shortest wait before any reconnect or poll, whatever the server says: `retry: 0`,
 * `Retry-After: 0` or a connection closed at once must not make a hot loop (docs/reconnection.md).
 */
export const MIN_DELAY_MS = 250

/**
 * Delay before retry number `attempt` (1-based): exponential from `baseMs` (at least
 * {@link MIN_DELAY_MS}), capped at `maxDelayMs`, then randomised downwards by up to `jitter`
 * of itself so that many clients dropped at once do not return at once, but never below
 * {@link MIN_DELAY_MS}. A server's `retryAfterMs` replaces that, yet not below a floor that
 * grows like the backoff, so a `Retry-After: 0` answered again and again backs off too.
 * `random` is in [0, 1).
 */
export function computeDelay(
  attempt: number,
  baseMs: number,
  retry: ResolvedRetry,
  random: number,
  retryAfterMs?: number,
): number {
  const growth = Math.pow(retry.factor, attempt - 1)
  const ceiling = Math.max(retry.maxDelayMs, MIN_DELAY_MS)
  if (retryAfterMs !== undefined) return Math.max(retryAfterMs, Math.min(ceiling, MIN_DELAY_MS * growth))
  const capped = Math.min(ceiling, Math.max(baseMs, MIN_DELAY_MS) * growth)
  return Math.max(MIN_DELAY_MS, Math.round(capped * (1 - retry.jitter * random)))
}
