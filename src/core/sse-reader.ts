import { createParser } from 'eventsource-parser'
import type { TransportSink } from '../types'

const CR = 13
const LF = 10
const BOM = 0xfeff

/** Incremental Server-Sent Events parser over decoded text chunks. */
export interface SseReader {
  /**
   * Reads the next chunk. A `whole` text (a WebSocket frame) must hold whole SSE events: one
   * that ends inside an event, or holds a line that is no SSE field (JSON, plain text), makes
   * this return false; the unfinished event is dropped, so the next text starts afresh.
   */
  feed(text: string, whole?: boolean): boolean
  /** Reports nothing more, not even the rest of a chunk being read (its connection closed). */
  stop(): void
}

/**
 * Creates the one SSE reader that fetch-sse, websocket and long-poll share. It follows the
 * WHATWG rules (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * whatever the chunking, reports events and `retry:` to `sink`, and bounds memory by
 * `maxMessageBytes`: a line or event over it stops the reader and calls `tooLarge`.
 */
export function createSseReader(
  sink: Pick<TransportSink, 'event' | 'retry'>,
  maxMessageBytes: number,
  tooLarge: () => void,
): SseReader {
  let atStart = true
  let skipLeadingLF = false
  let stopped = false
  // Events the parser has dispatched, and whether it met a line that is no SSE field: what
  // tells a whole text from one that is not.
  let dispatched = 0
  let unknownField = false

  const parser = createParser({
    maxBufferSize: maxMessageBytes,
    onEvent({ event, data, id }) {
      dispatched++
      if (stopped) return
      // The parser bounds what it buffers across chunks; an event that arrived whole inside
      // one chunk is measured here.
      if (data.length > maxMessageBytes) return overflow()
      sink.event(event || 'message', data, id)
    },
    onRetry(ms) {
      if (!stopped) sink.retry(ms)
    },
    onError({ type }) {
      // Invalid `retry` values and unknown fields are ignored, as the spec says.
      if (type === 'unknown-field') unknownField = true
      else if (type === 'max-buffer-size-exceeded' && !stopped) overflow()
    },
  })

  function stop(): void {
    stopped = true
  }

  function overflow(): void {
    stop()
    tooLarge()
  }

  function feed(text: string, whole?: boolean): boolean {
    if (stopped || !text) return true
    // eventsource-parser strips a BOM only given as raw bytes; decoded text carries U+FEFF. And
    // the LF of a CRLF split across chunks goes: its CR has already ended the line.
    const first = text.charCodeAt(0)
    if ((atStart && first === BOM) || (skipLeadingLF && first === LF)) text = text.slice(1)
    atStart = false
    // A CR that ends a chunk ends its line now (the parser alone would wait for the next byte
    // to rule out CRLF).
    skipLeadingLF = text.charCodeAt(text.length - 1) === CR
    unknownField = false
    parser.feed(skipLeadingLF ? text + '\n' : text)
    if (!whole || stopped) return true
    // End the text here, with nothing passed on: an event that this completes was unfinished.
    const before = dispatched
    stopped = true
    parser.feed('\n\n')
    stopped = false
    return dispatched === before && !unknownField
  }

  return { feed, stop }
}
