// Captured at load: a test that installs fake timers must not freeze these helpers.
const realSetTimeout = setTimeout
const realClearTimeout = clearTimeout
const realNow = Date.now

/** A promise with its resolve/reject exposed, for handing results across callbacks. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * Resolves once `predicate()` is truthy, checking on every macrotask turn; rejects after
 * `timeoutMs` with `message`. For state that has no event to await (server-side counters,
 * object fields); prefer awaiting an event where there is one.
 */
export function waitFor(predicate: () => unknown, message = 'condition', timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = realNow() + timeoutMs
    const check = (): void => {
      let ok: unknown
      try {
        ok = predicate()
      } catch (error) {
        return reject(error)
      }
      if (ok) return resolve()
      if (realNow() > deadline) return reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${message}`))
      realSetTimeout(check, 2)
    }
    check()
  })
}

/** Rejects if `promise` has not settled within `timeoutMs`, naming `what` in the error. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
    promise.then(
      (value) => {
        realClearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        realClearTimeout(timer)
        reject(error)
      },
    )
  })
}
