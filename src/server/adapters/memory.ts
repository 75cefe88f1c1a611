import { positiveInteger, MAX_BUFFER_SIZE } from '../options'
import { createEventRing, type RingEvent } from '../ring-buffer'
import { encodeEvent } from '../sse-encoding'
import type { MemoryAdapterOptions, PushAdapter } from '../types'
import { claimOnce, closedError, type Adapter, type AdapterSettings, type History } from './adapter'

/** The resume point's events were evicted while a slow client was still reading them. */
function evicted(): Error {
  return new Error('pushwire/server: the history being replayed was evicted meanwhile (bufferSize)')
}

/**
 * Keeps the newest `bufferSize` events in this process: the default adapter. Clients resume
 * only on the process that served them; for several processes use {@link redisStreamsAdapter}.
 */
export function memoryAdapter(options: MemoryAdapterOptions = {}): PushAdapter {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('pushwire/server: memoryAdapter() options must be an object `{ bufferSize? }`')
  }
  const bufferSize = positiveInteger('memoryAdapter()', 'bufferSize', options.bufferSize, 1000, MAX_BUFFER_SIZE)
  const ring = createEventRing(bufferSize)
  const claim = claimOnce('memory')
  let settings: AdapterSettings | undefined
  let closed = false

  const adapter: Adapter = {
    name: 'memory',
    start(given) {
      claim()
      settings = given
    },
    initialHeadId: () => '0',
    whenStarted: () => Promise.resolve(),
    append(event) {
      if (closed) return Promise.reject(closedError())
      // Auto ids follow the sequence number, so they stay unique even after custom ids.
      const id = event.id !== undefined ? event.id : String(ring.lastSeq + 1)
      const stored = ring.push(id, encodeEvent({ event: event.event, id, data: event.data }))
      if (settings) settings.sink.deliver([stored])
      return Promise.resolve(id)
    },
    history(afterId, until) {
      const untilSeq = until ? (until as RingEvent).seq : 0
      const found = ring.cursorOf(afterId)
      let cursor = found === undefined ? ring.floorSeq : found
      const pageBytes = settings ? settings.pageBytes : Infinity
      const history: History = {
        reset: found === undefined,
        skipThrough: found !== undefined && found > untilSeq ? afterId : undefined,
        untilId: until ? until.id : '0',
        next() {
          if (cursor >= untilSeq) return Promise.resolve(undefined)
          if (cursor < ring.floorSeq) return Promise.reject(evicted())
          const page = ring.page(cursor, untilSeq, pageBytes)
          cursor = page.lastSeq
          return Promise.resolve(page.text)
        },
      }
      return Promise.resolve(history)
    },
    close() {
      closed = true
      return Promise.resolve()
    },
  }
  return adapter
}
