import { PushError } from '../errors'

/** Unread messages an iterator may hold before it fails instead of growing. */
const MAX_BACKLOG = 10000

type Subscribe<T> = (listener: (value: T) => void) => () => void

/**
 * An async iterator over the messages `onMessage` reports, which ends when `onClose` reports
 * that the client closed (or at once when it is `closed` already). Messages that arrive
 * between two `next()` calls wait in a backlog; past {@link MAX_BACKLOG} of them the iterator
 * rejects with `too-large` rather than grow without bound.
 */
export function createMessageIterator<T>(
  onMessage: Subscribe<T>,
  onClose: Subscribe<void>,
  closed: boolean,
): AsyncIterator<T> {
  const backlog: T[] = []
  let wake: (() => void) | undefined
  let overflow: PushError | undefined
  let ended = false

  function end(): void {
    ended = true
    offMessages()
    offClose()
    wake?.()
  }

  const offMessages = onMessage((message) => {
    if (backlog.length < MAX_BACKLOG) {
      backlog.push(message)
    } else {
      overflow = new PushError('too-large', `iterator fell ${MAX_BACKLOG} messages behind`)
      end()
    }
    wake?.()
  })
  const offClose = onClose(end)
  // A client closed already sends no close signal again: nothing else would end this one.
  if (closed) end()

  return {
    next() {
      return new Promise((resolve, reject) => {
        // The backlog first, then an overflow, then the end; else wait for the next of these.
        const settle = (): void => {
          wake = undefined
          if (backlog.length) resolve({ value: backlog.shift() as T, done: false })
          else if (overflow) {
            reject(overflow)
            overflow = undefined
          } else if (ended) resolve({ value: undefined, done: true })
          else wake = settle
        }
        settle()
      })
    },
    return() {
      backlog.length = 0
      end()
      return Promise.resolve({ value: undefined, done: true })
    },
  }
}
