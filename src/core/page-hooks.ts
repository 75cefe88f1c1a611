import { globalScope } from './env'

/** What the client does when the page's connectivity or visibility changes. */
export interface PageHooks {
  online(): void
  offline(): void
  visibilityChange(): void
}

/** Whether the browser knows it is offline (outside a browser: never). */
export function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false
}

/** Whether the page is hidden (a background tab, a minimised window). */
export function isPageHidden(): boolean {
  return typeof document !== 'undefined' && document.visibilityState === 'hidden'
}

/**
 * Calls `hooks` on `online`, `offline` and `visibilitychange` until the returned function is
 * called. Returns `undefined` where the global scope takes no listeners (Node without DOM).
 */
export function watchPage(hooks: PageHooks): (() => void) | undefined {
  const scope = globalScope() as EventTarget | undefined
  if (!scope?.addEventListener) return undefined
  // Outside a page `visibilitychange` never fires; listening on the global scope is harmless.
  const page = typeof document !== 'undefined' ? document : scope
  const each = (method: 'addEventListener' | 'removeEventListener') => {
    scope[method]('online', hooks.online)
    scope[method]('offline', hooks.offline)
    page[method]('visibilitychange', hooks.visibilityChange)
  }
  each('addEventListener')
  return () => each('removeEventListener')
}
