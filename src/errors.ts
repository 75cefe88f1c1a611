import type { PushErrorCode } from './types'

/** Extra facts about a {@link PushError}. */
export interface PushErrorDetails {
  /** HTTP status, where the transport could see one. */
  status?: number
  /** Server-requested wait from `Retry-After`, in milliseconds. */
  retryAfterMs?: number
  /** The underlying error. */
  cause?: unknown
}

/** A runtime fault, reported through `onStatus`; `code` tells what kind. */
export class PushError extends Error {
  override readonly name = 'PushError'
  readonly code: PushErrorCode
  readonly status?: number
  readonly retryAfterMs?: number
  override readonly cause?: unknown

  constructor(code: PushErrorCode, message: string, details: PushErrorDetails = {}) {
    // Messages reach error trackers: a URL in them keeps its parameter names, never the values
    // (a `query` token, say). A value ends at `&`, `#`, whitespace or a colon before a space.
    super(message.replace(/([?&][^=&#\s]*=)(?:[^&#\s:]|:(?=\S))*/g, '$1***'))
    this.code = code
    ;({ status: this.status, retryAfterMs: this.retryAfterMs, cause: this.cause } = details)
    // Restores the prototype when the class is lowered to ES5 (legacy bundle).
    Object.setPrototypeOf(this, PushError.prototype)
  }
}

/** Whether `value` is a {@link PushError}, also across bundle copies (checks `name`). */
export function isPushError(value: unknown): value is PushError {
  return value instanceof PushError || (value instanceof Error && value.name === 'PushError' && 'code' in value)
}
