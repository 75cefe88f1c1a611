import type { History, StoredEvent } from './adapter'
import { rangeEvents, replyFields, type EventSizes } from './redis-entries'
import { compareIds, isEntryId, STREAM_START } from './redis-ids'

// A page read for one client serves every client that asks for the same place this soon after:
// a reconnect storm reads the stream once, not once per client.
const PAGE_REUSE_MS = 1000
const CACHE_CHARS = 4 * 1024 * 1024

/** Entries from a cursor on, as one `XRANGE` returned them. */
interface Page {
  events: StoredEvent[]
  /** As many as asked for: the stream may hold more after the last one. */
  full: boolean
}

interface CachedPage {
  readAt: number
  page: Promise<Page>
  chars: number
}

/** What the history reader needs. */
export interface HistoryReaderOptions {
  /** Sends a command on the connection that stores events (never the blocked reader's); rejects while Redis is unreachable or silent. */
  send(args: string[]): Promise<unknown>
  stream: string
  sizes: EventSizes
  pageChars: number
  /** Id of the newest entry when this process started reading; rejects when Redis is unreachable. */
  initialHead(): Promise<string>
}

function gone(): Error {
  return new Error('pushwire/server: the history being replayed was trimmed from the Redis stream meanwhile (maxLen)')
}

/**
 * Reads what a resuming client missed, page by page with `XRANGE`. Each page starts at the
 * entry the client has (inclusive), so a page that does not start with it proves that the
 * entries after it were trimmed. Reads of the same place share one `XRANGE` for a second.
 */
export function createHistoryReader(options: HistoryReaderOptions): (afterId: string, until: StoredEvent | undefined) => Promise<History> {
  const { send, stream, sizes, pageChars } = options
  const cache = new Map<string, CachedPage>()
  let cachedChars = 0

  function forget(cursor: string, entry: CachedPage): void {
    if (cache.get(cursor) !== entry) return
    cache.delete(cursor)
    cachedChars -= entry.chars
  }

  function evictOld(now: number): void {
    cache.forEach((entry, cursor) => {
      if (now - entry.readAt >= PAGE_REUSE_MS || cachedChars > CACHE_CHARS) forget(cursor, entry)
    })
  }

  function readPage(cursor: string, fresh: boolean): Promise<Page> {
    const now = Date.now()
    evictOld(now)
    const cached = cache.get(cursor)
    if (cached && !fresh) return cached.page
    const count = sizes.countFor(pageChars)
    const asked = cursor === STREAM_START ? count : count + 1
    const from = cursor === STREAM_START ? '-' : cursor
    const page = send(['XRANGE', stream, from, '+', 'COUNT', String(asked)]).then((reply): Page => {
      const events = rangeEvents(reply)
      sizes.note(events)
      return { events, full: events.length === asked }
    })
    const entry: CachedPage = { readAt: now, page, chars: 0 }
    if (cached) forget(cursor, cached)
    cache.set(cursor, entry)
    page.then(
      (read) => {
        if (cache.get(cursor) !== entry) return
        entry.chars = read.events.reduce((sum, event) => sum + event.chunk.length, 0)
        cachedChars += entry.chars
      },
      () => forget(cursor, entry),
    )
    return page
  }

  /** Whether the stream still holds every entry ever added (or does not exist yet). */
  async function untrimmed(): Promise<boolean> {
    let info: Map<string, unknown>
    try {
      info = replyFields(await send(['XINFO', 'STREAM', stream]))
    } catch (error) {
      if (/no such key/i.test(String(error))) return true
      throw error
    }
    const length = Number(info.get('length'))
    // `entries-added` arrived in Redis 7.0; before it, only an empty stream is known to be whole.
    return info.has('entries-added') ? Number(info.get('entries-added')) === length : length === 0
  }

  return async function history(afterId, until) {
    const untilId = until ? until.id : await options.initialHead()
    let cursor = STREAM_START
    let reset = true
    let first: Page | undefined
    if (afterId === '0' || afterId === STREAM_START) reset = !(await untrimmed())
    else if (isEntryId(afterId)) {
      const page = await readPage(afterId, false)
      if (page.events.length && page.events[0].id === afterId) {
        reset = false
        cursor = afterId
        first = page
      }
    }
    const skipThrough = !reset && compareIds(cursor, untilId) > 0 ? cursor : undefined
    let done = compareIds(cursor, untilId) >= 0
    let freshRead = false
    // Entries read after the cursor and not yet sent, and where the next one to send is.
    let read: StoredEvent[] = []
    let at = 0

    /** Reads the entries after the cursor; false when the history has nothing more. */
    async function refill(): Promise<boolean> {
      const page = first || (await readPage(cursor, freshRead))
      first = undefined
      if (cursor !== STREAM_START && (!page.events.length || page.events[0].id !== cursor)) throw gone()
      read = cursor === STREAM_START ? page.events : page.events.slice(1)
      at = 0
      if (page.full || (read.length && compareIds(read[read.length - 1].id, untilId) >= 0)) {
        freshRead = false
        return read.length > 0
      }
      // The stream ended before `untilId` when this page was read: a page shared from before
      // this client joined. Read on afresh; a fresh page that ends early means `untilId` is gone.
      if (freshRead) return read.length > 0
      freshRead = true
      return read.length > 0 || refill()
    }

    async function next(): Promise<string | undefined> {
      while (!done) {
        if (at === read.length && !(await refill())) break
        let text = ''
        // Cut into pages of about pageChars, whatever Redis returned at once.
        while (at < read.length && (text === '' || text.length < pageChars) && compareIds(read[at].id, untilId) <= 0) {
          text += read[at].chunk
          cursor = read[at++].id
        }
        if (cursor === untilId || (at < read.length && compareIds(read[at].id, untilId) > 0)) done = true
        if (text) return text
      }
      done = true
      return undefined
    }

    return { reset, skipThrough, untilId, next }
  }
}
