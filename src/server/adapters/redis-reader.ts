import type { RedisClientLike } from '../types'
import type { AdapterSink, StoredEvent } from './adapter'
import { rangeEvents, readEvents, type EventSizes } from './redis-entries'
import { STREAM_START } from './redis-ids'

/** A blocking read returns empty after this long, so an idle reader still hears from Redis regularly. */
export const BLOCK_MS = 5000
// Read at once: about this many bytes of entries.
const BATCH_BYTES = 256 * 1024
// Reads merged into one delivery at most, so a stream that is never dry is still delivered.
const MAX_READS_PER_BATCH = 4
const MIN_BACKOFF_MS = 50
const MAX_BACKOFF_MS = 2000

/** What a stream reader needs. */
export interface StreamReaderOptions {
  /** A connection of its own: a blocking XREAD holds it. */
  connection: RedisClientLike
  stream: string
  sink: AdapterSink
  sizes: EventSizes
  /** Called once, with the id of the newest entry when the reader started (`0-0` for none). */
  onStart(headId: string): void
  /** Reports that Redis became unreachable (`error`) or reachable again (`undefined`). */
  onHealth(error: Error | undefined): void
}

/** The reader of one process; stop it with `close()`. */
export interface StreamReader {
  close(): void
}

/**
 * Reads every new entry of the stream, in order, and hands it to the sink: a blocking `XREAD`
 * when there is nothing to deliver, non-blocking ones until the stream is dry otherwise,
 * always from the last entry read. Each read is pipelined behind an `XRANGE` of that entry:
 * when it is gone, entries after it may be gone too (Redis restarted empty, or this reader
 * fell more than the stream keeps behind), so the sink is reset and reading goes on from the
 * start of what the stream holds now. Failed reads are retried with backoff, sooner when the
 * connection is ready again.
 */
export function startStreamReader(options: StreamReaderOptions): StreamReader {
  const { connection, stream, sink, sizes } = options
  let closed = false
  let wake: (() => void) | undefined
  connection.on('ready', () => wake && wake())

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })
  }

  async function newestId(): Promise<string> {
    const newest = rangeEvents(await connection.sendCommand(['XREVRANGE', stream, '+', '-', 'COUNT', '1']))
    return newest.length ? newest[0].id : STREAM_START
  }

  async function entryExists(id: string): Promise<boolean> {
    return rangeEvents(await connection.sendCommand(['XRANGE', stream, id, id])).length > 0
  }

  /** The entries after `lastId`, and whether `lastId` was still there when they were read. */
  async function readAfter(lastId: string, block: boolean): Promise<{ unbroken: boolean; events: StoredEvent[] }> {
    const read = ['XREAD', 'COUNT', String(sizes.countFor(BATCH_BYTES))]
    if (block) read.push('BLOCK', String(BLOCK_MS))
    read.push('STREAMS', stream, lastId)
    // Both go out in one write, so Redis runs them back to back.
    const [unbroken, reply] = await Promise.all([lastId === STREAM_START || entryExists(lastId), connection.sendCommand(read)])
    return { unbroken, events: readEvents(reply) }
  }

  async function run(): Promise<void> {
    let lastId: string | undefined
    let backoff = MIN_BACKOFF_MS
    let failing = false
    // Entries read but not yet delivered, and how many reads found them.
    let batch: StoredEvent[] = []
    let reads = 0
    const deliver = () => {
      if (!batch.length) return
      sizes.note(batch)
      sink.deliver(batch)
      batch = []
      reads = 0
    }
    while (!closed) {
      try {
        if (lastId === undefined) {
          lastId = await newestId()
          options.onStart(lastId)
        }
        // A blocked XREAD wakes on the first of several XADDs sent together; reading on without
        // blocking until the stream is dry delivers them together, in one write per client.
        const { unbroken, events } = await readAfter(lastId, batch.length === 0)
        if (closed) return
        if (failing) options.onHealth(undefined)
        failing = false
        backoff = MIN_BACKOFF_MS
        if (!unbroken) {
          deliver()
          lastId = STREAM_START
          sink.reset(lastId)
          continue
        }
        if (events.length) {
          lastId = events[events.length - 1].id
          batch = batch.concat(events)
          reads++
        }
        if (!events.length || reads >= MAX_READS_PER_BATCH) deliver()
      } catch (error) {
        if (closed) return
        deliver()
        if (!failing) options.onHealth(error instanceof Error ? error : new Error(String(error)))
        failing = true
        await pause(backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      }
    }
  }

  run()
  return {
    close() {
      closed = true
      if (wake) wake()
    },
  }
}
