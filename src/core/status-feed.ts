import { ANY, createListenerRegistry } from './listeners'

/** `[publish, listen]`: where a client's statuses go out, and its `onStatus`. */
type StatusFeed<T> = [publish: (status: T) => void, listen: (listener: (status: T) => void) => () => void]

/**
 * Delivers statuses in order. One published by a status listener (close() in it) waits until
 * the current one has reached every listener, so that all of them see every status in order
 * and none ends on a stale one. Those published in the task that made the feed wait for a
 * microtask, so that listeners added in that task (right after `createPushClient`) see them too.
 */
export function createStatusFeed<T>(): StatusFeed<T> {
  const listeners = createListenerRegistry<T>()
  // Statuses not yet delivered while a delivery runs (or the first task does), else undefined.
  let queue: T[] | undefined = []

  function deliver(statuses: T[]): void {
    queue = statuses
    for (let i = 0; i < statuses.length; i++) listeners.emit(ANY, statuses[i])
    queue = undefined
  }

  Promise.resolve(queue).then(deliver)
  return [
    (status) => {
      if (queue) queue.push(status)
      else deliver([status])
    },
    (listener) => listeners.add(ANY, listener),
  ]
}
