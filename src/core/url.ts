/** Appends query parameters to `url`, keeping any it already has (and its fragment out). */
export function withQuery(url: string, params: Record<string, string | undefined> | undefined): string {
  let query = ''
  for (const key in params) {
    const value = params[key]
    if (value !== undefined) query += '&' + encodeURIComponent(key) + '=' + encodeURIComponent(value)
  }
  const base = url.split('#')[0]
  return query ? base + (base.indexOf('?') === -1 ? '?' : '&') + query.slice(1) : url
}

/**
 * Resolves `url` against the page's location through an `<a href>`, which every browser
 * supports, or in a worker against the worker's location.
 */
export function resolveUrl(url: string): string {
  if (typeof document === 'undefined') {
    try {
      return new URL(url, location.href).href
    } catch {
      // No location (Node) or no URL (IE11's workers): the URL must already be absolute.
      return url
    }
  }
  const anchor = document.createElement('a')
  anchor.href = url
  return anchor.href
}
