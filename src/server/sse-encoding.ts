import { HEARTBEAT_TYPE, RESET_TYPE } from '../constants'

/**
 * Server-Sent Events text, as every transport carries it
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 */

/** First bytes of every stream, so the client sees activity at once. */
export const OPEN_COMMENT = ':ok\n\n'

/** Heartbeat for transports whose reader sees comments. */
export const HEARTBEAT_COMMENT = ':\n\n'

/** Heartbeat for native EventSource, which never shows comments to script. */
export const HEARTBEAT_EVENT = 'event: ' + HEARTBEAT_TYPE + '\ndata\n\n'

// Any of these would end a field early or change its meaning; NUL makes clients ignore an id.
const FIELD_BREAKERS = /[\r\n\0]/
// Control characters are what a garbled or hostile Last-Event-ID looks like.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

/** Longest event id accepted, published or asked for. */
export const MAX_ID_LENGTH = 256

/** Whether `id` can travel in an `id:` field and a `Last-Event-ID` header. */
export function isValidEventId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !CONTROL_CHARS.test(id)
}

/** Whether `type` can travel in an `event:` field. */
export function isValidEventType(type: string): boolean {
  return type.length > 0 && !FIELD_BREAKERS.test(type)
}

/** Encodes one event; every line of `data` becomes its own `data:` field. */
export function encodeEvent(event: { event?: string; id?: string; data: string }): string {
  let out = ''
  if (event.event !== undefined) out += 'event: ' + event.event + '\n'
  if (event.id !== undefined) out += 'id: ' + event.id + '\n'
  const lines = event.data.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) out += 'data: ' + lines[i] + '\n'
  return out + '\n'
}

/** The `retry:` field that sets the client's reconnection delay. */
export function encodeRetry(ms: number): string {
  return 'retry: ' + ms + '\n\n'
}

/** Tells a client that the events after `lastEventId` are gone; carries no id on purpose. */
export function encodeReset(lastEventId: string): string {
  return encodeEvent({ event: RESET_TYPE, data: JSON.stringify({ lastEventId }) })
}

/** A heartbeat event whose id hands a long-poll client its cursor. */
export function encodeCursor(headId: string): string {
  return 'event: ' + HEARTBEAT_TYPE + '\nid: ' + headId + '\ndata\n\n'
}
