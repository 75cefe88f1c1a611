import { encodeEvent, isValidEventType } from '../sse-encoding'
import type { StoredEvent } from './adapter'

/** One stream entry as Redis answers it: its id and its fields as name, value, name, value… */
type RawEntry = [unknown, unknown[]]

const text = (value: unknown): string => String(value)

/** Encodes an entry written by `publish()`: fields `event` (optional) and `data`. */
function toStoredEvent([rawId, fields]: RawEntry): StoredEvent {
  const id = text(rawId)
  let event: string | undefined
  let data = ''
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = text(fields[i])
    if (name === 'event') event = text(fields[i + 1])
    else if (name === 'data') data = text(fields[i + 1])
  }
  // Entries that others wrote into the stream must not break SSE framing either.
  if (event !== undefined && !isValidEventType(event)) event = undefined
  const chunk = encodeEvent({ event, id, data })
  return { id, chunk, bytes: Buffer.byteLength(chunk) }
}

/** The events of an `XRANGE` / `XREVRANGE` reply. */
export function rangeEvents(reply: unknown): StoredEvent[] {
  return Array.isArray(reply) ? (reply as RawEntry[]).map(toStoredEvent) : []
}

/** The events of an `XREAD` reply on one stream: `null`, `[[key, entries]]`, or a map (RESP3). */
export function readEvents(reply: unknown): StoredEvent[] {
  if (reply === null || reply === undefined) return []
  if (Array.isArray(reply)) return reply.length ? rangeEvents((reply[0] as unknown[])[1]) : []
  const values = reply instanceof Map ? Array.from(reply.values()) : Object.values(reply as object)
  return values.length ? rangeEvents(values[0]) : []
}

/** The fields of a reply that is a flat name/value list (RESP2) or a map (RESP3). */
export function replyFields(reply: unknown): Map<string, unknown> {
  if (reply instanceof Map) return new Map(Array.from(reply, ([name, value]) => [text(name), value]))
  if (Array.isArray(reply)) {
    const fields = new Map<string, unknown>()
    for (let i = 0; i + 1 < reply.length; i += 2) fields.set(text(reply[i]), reply[i + 1])
    return fields
  }
  return new Map(Object.entries(reply as object))
}

/** A running average of encoded event sizes, to ask Redis for about as many entries as a page holds. */
export interface EventSizes {
  note(events: StoredEvent[]): void
  /** How many entries of average size fill `bytes` bytes (1 to 1000). */
  countFor(bytes: number): number
}

export function createEventSizes(): EventSizes {
  let average = 200
  return {
    note(events) {
      if (!events.length) return
      let bytes = 0
      for (let i = 0; i < events.length; i++) bytes += events[i].bytes
      average = (average + bytes / events.length) / 2
    },
    countFor: (bytes) => Math.max(1, Math.min(1000, Math.floor(bytes / average))),
  }
}
