/** A page being read or read from the stream, kept for clients that ask for the same place. */
export interface CachedPage<P> {
  /** When the read was sent, on a clock that never goes back (`performance.now()`). */
  readonly readAt: number
  readonly page: Promise<P>
}

/** Pages by the cursor they were read from, each kept for `reuseMs`, all together within `maxBytes`. */
export interface PageCache<P> {
  /** The page read from `cursor` less than `reuseMs` before `now`; forgets the pages read earlier first. */
  fresh(cursor: string, now: number): CachedPage<P> | undefined
  /** Keeps `entry` as the page of `cursor`, in place of the one kept before; a read that fails is forgotten. */
  add(cursor: string, entry: CachedPage<P>): void
}

interface Kept<P> {
  entry: CachedPage<P>
  /** Bytes of the page once it arrived, 0 until then. */
  bytes: number
}

/** Creates a {@link PageCache}; `bytesOf` tells how large a page that arrived is. */
export function createPageCache<P>(reuseMs: number, maxBytes: number, bytesOf: (page: P) => number): PageCache<P> {
  // In the order of `readAt`: a page read again is removed and added at the end.
  const pages = new Map<string, Kept<P>>()
  let bytes = 0

  function forget(cursor: string, kept: Kept<P>): void {
    if (pages.get(cursor) !== kept) return
    pages.delete(cursor)
    bytes -= kept.bytes
  }

  return {
    fresh(cursor, now) {
      // The oldest come first: stop at the first that is young enough while within maxBytes,
      // so a storm of distinct cursors costs each read a visit or two, not one per page kept.
      for (const [key, kept] of pages) {
        if (now - kept.entry.readAt < reuseMs && bytes <= maxBytes) break
        forget(key, kept)
      }
      const kept = pages.get(cursor)
      return kept && kept.entry
    },
    add(cursor, entry) {
      const replaced = pages.get(cursor)
      if (replaced) forget(cursor, replaced)
      const kept: Kept<P> = { entry, bytes: 0 }
      pages.set(cursor, kept)
      entry.page.then(
        (page) => {
          if (pages.get(cursor) !== kept) return
          kept.bytes = bytesOf(page)
          bytes += kept.bytes
        },
        () => forget(cursor, kept),
      )
    },
  }
}
