import { createParser } from 'eventsource-parser'
import type { TransportSink } from '../types'

const CR = 13
const LF = 10

// Text that ends between events: after its last empty line (or from its start) nothing but
// comment lines. A line ends at LF, CRLF, or a CR that no LF follows.
const WHOLE_EVENTS = /(?:^|(?:\r\n|\r(?!\n)|\n){2})(?::[^\r\n]*(?:\r\n|\r(?!\n)|\n))*$/

/** Incremental Server-Sent Events parser over decoded text chunks. */
export interface SseReader {
  /**
   * Reads the next chunk. A `whole` text (a WebSocket frame) must hold whole SSE events: one
   * that ends inside an event (JSON, plain text, a cut event) makes this return false, and
   * the unfinished event is dropped, so that the next text starts afresh.
   */
  feed(text: string, whole?: boolean): boolean
  /** Reports nothing more, not even the rest of a chunk being read (its connection closed). */
  stop(): void
}

/**
 * Creates the one SSE reader that fetch-sse, websocket and long-poll share. It follows the
 * WHATWG rules (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * whatever the chunking, reports events and `retry:` to `sink`, and bounds memory by
 * `maxMessageBytes`: a line or event over it stops the reader and calls `tooLarge`. The text
 * comes from a UTF-8 decoder, which has removed the stream's one leading BOM (TextDecoder,
 * XMLHttpRequest); so a U+FEFF that reaches the reader is part of a field name, as WHATWG says.
 */
export function createSseReader(
  sink: Pick<TransportSink, 'event' | 'retry'>,
  maxMessageBytes: number,
  tooLarge: () => void,
): SseReader {
  let skipLeadingLF = false
  let stopped = false

  const parser = createParser({
    maxBufferSize: maxMessageBytes,
    onEvent({ event, data, id }) {
      if (stopped) return
      // The parser bounds what it buffers across chunks; an event that arrived whole inside
      // one chunk is measured here.
      if (data.length > maxMessageBytes) return overflow()
      sink.event(event || 'message', data, id)
    },
    onRetry(ms) {
      if (!stopped) sink.retry(ms)
    },
    onError(error) {
      // Invalid `retry` values and unknown fields are ignored, as the spec says.
      if (error.type === 'max-buffer-size-exceeded' && !stopped) overflow()
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
    // The LF of a CRLF split across chunks goes: its CR has already ended the line.
    if (skipLeadingLF && text.charCodeAt(0) === LF) text = text.slice(1)
    // A CR that ends a chunk ends its line now (the parser alone would wait for the next byte
    // to rule out CRLF).
    const end = text.length - 1
    skipLeadingLF = text.charCodeAt(end) === CR
    parser.feed(skipLeadingLF ? text + '\n' : text)
    // Whole events end with an empty line, nearly always LF LF: that look spares most texts the pattern.
    if (!whole || stopped || (text.charCodeAt(end) === LF && text.charCodeAt(end - 1) === LF) || WHOLE_EVENTS.test(text)) return true
    parser.reset()
    return false
  }

  return { feed, stop }
}
