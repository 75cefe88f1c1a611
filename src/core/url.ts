/** Appends query parameters to `url`, keeping any it already has (and its fragment out). */
export function withQuery(url: string, params: Record<string, string | undefined> | undefined): string {
  let query = ''
  for (const key in params) {
    const value = params[key]
    if (value === undefined) continue
    query += (query ? '&' : '') + encodeURIComponent(key) + '=' + encodeURIComponent(value)
  }
  if (!query) return url
  const hashAt = url.indexOf('#')
  const base = hashAt === -1 ? url : url.slice(0, hashAt)
  return base + (base.indexOf('?') === -1 ? '?' : '&') + query
}

/** The WebSocket URL that matches an http(s) URL. */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/i, 'ws')
}

/**
 * Resolves `url` against the page's location. Uses `URL` where present and an `<a href>`
 * on old browsers; outside a page (Node) the URL must already be absolute.
 */
export function resolveUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url
  const location = typeof document !== 'undefined' ? document.location : undefined
  if (!location) return url
  if (typeof URL === 'function') return new URL(url, location.href).href
  const anchor = document.createElement('a')
  anchor.href = url
  return anchor.href
}
