import { noop } from '../constants'
import type { Election, ElectionEvents } from './election'

/**
 * Elects with the Web Locks API: every tab asks for the lock `name`, and the one holding it
 * leads for as long as it holds it. The browser queues the others and hands the lock on when
 * the holder releases it, navigates away or crashes, so there is never a second leader.
 */
export function createLockElection(locks: LockManager, name: string, events: ElectionEvents): Election {
  let stop: (() => void) | undefined

  return {
    join() {
      if (stop) return
      const waiting = new AbortController()
      const { signal } = waiting
      // Takes a queued request out; once the lock is granted, resolving the held promise releases it.
      stop = () => waiting.abort()
      locks
        .request(name, { signal }, () =>
          // Granted after the tab left (in the task that aborted, too late to unqueue it).
          signal.aborted
            ? undefined
            : new Promise<void>((resolve) => {
                stop = resolve
                events.lead()
              }),
        )
        // An AbortError when the tab left while it was still queued.
        .catch(noop)
    },
    leave() {
      if (stop) stop()
      stop = undefined
    },
    receive: noop,
  }
}
