/** Backoff settings with every field present. */
export interface ResolvedRetry {
  initialDelayMs: number
  maxDelayMs: number
  factor: number
  jitter: number
  maxAttempts: number
}

/**
 * Delay before retry number `attempt` (1-based): exponential from `baseMs`, capped at
 * `maxDelayMs`, then randomised downwards by up to `jitter` of itself so that many clients
 * dropped at once do not return at once. `random` is in [0, 1).
 */
export function computeDelay(attempt: number, baseMs: number, retry: ResolvedRetry, random: number): number {
  const exponential = baseMs * Math.pow(retry.factor, attempt - 1)
  const capped = Math.min(retry.maxDelayMs, exponential)
  return Math.round(capped * (1 - retry.jitter * random))
}
