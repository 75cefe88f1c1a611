import { globalScope } from './env'

type Listener<T> = (value: T) => void

/** The key whose listeners hear every key. */
export const ANY = '*'

/** Listener lists keyed by name, safe to change while they are being called. */
export interface ListenerRegistry<T> {
  add(key: string, listener: Listener<T>): () => void
  /** Calls the listeners of `key`, then those of {@link ANY}. */
  emit(key: string, value: T): void
  has(key: string): boolean
  /** The keys that have listeners, {@link ANY} left out. */
  keys(): string[]
}

/**
 * Hands a listener's exception to the platform (`reportError`, as EventTarget does), so it is
 * seen in the console and by error trackers but never breaks the SDK or the other listeners.
 */
function reportListenerError(error: unknown): void {
  const scope = globalScope() as { reportError?: (error: unknown) => void } | undefined
  if (scope?.reportError) scope.reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}

function callAll<T>(list: Listener<T>[] | undefined, value: T): void {
  if (!list) return
  for (let i = 0; i < list.length; i++) {
    try {
      list[i](value)
    } catch (error) {
      reportListenerError(error)
    }
  }
}

/**
 * Copy-on-write lists: adding or removing makes a new array, so an emit in progress keeps
 * iterating the list it started with and no per-event copy is needed.
 */
export function createListenerRegistry<T>(): ListenerRegistry<T> {
  const lists = new Map<string, Listener<T>[]>()
  // The list of the key emitted last, and that of ANY: a run of events of one type costs no
  // Map lookup (their type strings are new every time, so each lookup would hash one).
  let lastKey: string | undefined
  let lastList: Listener<T>[] | undefined
  let anyList: Listener<T>[] | undefined

  function set(key: string, list: Listener<T>[]): void {
    if (list.length) lists.set(key, list)
    else lists.delete(key)
    lastKey = undefined
    anyList = lists.get(ANY)
  }

  // Out of emit(): V8 inlines emit into the parser's loop only while the whole chain is small.
  function select(key: string): void {
    lastKey = key
    lastList = key === ANY ? undefined : lists.get(key)
  }

  return {
    add(key, listener) {
      if (typeof listener !== 'function') throw new TypeError('pushwire: a listener must be a function')
      set(key, (lists.get(key) || []).concat(listener))
      let active = true
      return () => {
        if (!active) return
        active = false
        // Still listed: only this function removes it, and only once.
        const remaining = (lists.get(key) as Listener<T>[]).slice()
        remaining.splice(remaining.indexOf(listener), 1)
        set(key, remaining)
      }
    },
    emit(key, value) {
      if (key !== lastKey) select(key)
      callAll(lastList, value)
      // Guarded, so that V8 does not spend its inlining budget on a call that rarely runs.
      if (anyList) callAll(anyList, value)
    },
    has: (key) => lists.has(key),
    keys() {
      const keys: string[] = []
      lists.forEach((_, key) => key !== ANY && keys.push(key))
      return keys
    },
  }
}
