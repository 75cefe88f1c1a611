import type { History, StoredEvent } from './adapter'
import { rangeEvents, replyFields, type EventSizes } from './redis-entries'
import { compareIds, isEntryId, STREAM_START } from './redis-ids'
import { createPageCache } from './redis-page-cache'

// A page read for one client serves every client that asks for the same place this soon after:
// a reconnect storm reads the stream once, not once per client.
const PAGE_REUSE_MS = 1000
const CACHE_BYTES = 4 * 1024 * 1024

/** The entries after a cursor, as one read returned them. */
interface Page {
  /** The cursor's entry is still in the stream (always, for the start): no entry after it was trimmed. */
  found: boolean
  events: StoredEvent[]
  /** The stream may hold more after the last one: the read stopped at its count or its byte budget. */
  more: boolean
}

/**
 * `XRANGE` from the cursor (`-` for the start of the stream) of at most ARGV[2] entries, of
 * which it returns those within ARGV[3] bytes (and always one): an average entry size is only a
 * guess, and a resume into a stretch of large entries would bring all of them at once into the
 * server's memory, once per distinct resume point. Replies `{ found, more, entries }`; the
 * cursor's own entry is looked for, not returned (the client has it).
 */
const READ_PAGE = `
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
local budget = tonumber(ARGV[3])
local from = 1
if ARGV[1] ~= '-' then
  if entries[1] == nil or entries[1][1] ~= ARGV[1] then return {0, 0, {}} end
  from = 2
end
local page = {}
local bytes = 0
for i = from, #entries do
  local entry = entries[i]
  bytes = bytes + #entry[1]
  for _, value in ipairs(entry[2]) do bytes = bytes + #value end
  if bytes > budget and #page > 0 then return {1, 1, page} end
  page[#page + 1] = entry
end
return {1, #entries == tonumber(ARGV[2]) and 1 or 0, page}
`

const bytesOf = (page: Page) => page.events.reduce((sum, event) => sum + event.bytes, 0)

/** What the history reader needs. */
export interface HistoryReaderOptions {
  /** Sends a command on the connection that stores events (never the blocked reader's); rejects while Redis is unreachable or silent. */
  send(args: string[]): Promise<unknown>
  stream: string
  sizes: EventSizes
  /** Bytes of SSE text a page holds at most (or one event that is larger). */
  pageBytes: number
  /** Id of the newest entry when this process started reading; rejects when Redis is unreachable. */
  initialHead(): Promise<string>
}

function gone(): Error {
  return new Error('pushwire/server: the history being replayed was trimmed from the Redis stream meanwhile (maxLen)')
}

/**
 * Reads what a resuming client missed, page by page with `XRANGE` in a script that bounds the
 * bytes of a page. Each read starts at the entry the client has (inclusive), so a read that
 * does not find it proves that the entries after it were trimmed. Reads of the same place
 * share one page for a second.
 */
export function createHistoryReader(options: HistoryReaderOptions): (afterId: string, until: StoredEvent | undefined) => Promise<History> {
  const { send, stream, sizes, pageBytes } = options
  const cache = createPageCache(PAGE_REUSE_MS, CACHE_BYTES, bytesOf)

  function readPage(cursor: string, fresh: boolean): Promise<Page> {
    const now = performance.now()
    const cached = cache.fresh(cursor, now)
    if (cached && !fresh) return cached.page
    const count = sizes.countFor(pageBytes)
    // From the cursor's entry on, which the script looks for and leaves out.
    const asked = cursor === STREAM_START ? count : count + 1
    const from = cursor === STREAM_START ? '-' : cursor
    const page = send(['EVAL', READ_PAGE, '1', stream, from, String(asked), String(pageBytes)]).then((reply): Page => {
      const [found, more, entries] = reply as [number, number, unknown]
      const events = rangeEvents(entries)
      sizes.note(events)
      return { found: found === 1, events, more: more === 1 }
    })
    cache.add(cursor, { readAt: now, page })
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
      if (page.found) {
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
      if (!page.found) throw gone()
      read = page.events
      at = 0
      if (page.more || (read.length && compareIds(read[read.length - 1].id, untilId) >= 0)) {
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
        let bytes = 0
        // Cut into pages of at most pageBytes, whatever Redis returned at once.
        while (at < read.length && (text === '' || bytes + read[at].bytes <= pageBytes) && compareIds(read[at].id, untilId) <= 0) {
          text += read[at].chunk
          bytes += read[at].bytes
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
