import type { Election, ElectionEvents } from './election'

function ignore(): void {}

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
      let release: (() => void) | undefined
      let left = false
      stop = () => {
        left = true
        // Takes a queued request out; once granted, resolving the held promise releases it.
        waiting.abort()
        if (release) release()
      }
      locks
        .request(name, { signal: waiting.signal }, () =>
          left
            ? undefined
            : new Promise<void>((resolve) => {
                release = resolve
                events.lead()
              }),
        )
        // An AbortError when the tab left while it was still queued.
        .then(ignore, ignore)
    },
    leave() {
      if (stop) stop()
      stop = undefined
    },
  }
}
