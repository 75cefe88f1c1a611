import { createParser } from 'eventsource-parser'
import type { TransportSink } from '../types'

const CR = 13
const LF = 10

/** Incremental Server-Sent Events parser over decoded text chunks. */
export interface SseReader {
  feed(text: string): void
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

  function feed(text: string): void {
    if (stopped || !text) return
    // The LF of a CRLF split across chunks goes: its CR has already ended the line.
    if (skipLeadingLF && text.charCodeAt(0) === LF) text = text.slice(1)
    // A CR that ends a chunk ends its line now (the parser alone would wait for the next byte
    // to rule out CRLF).
    skipLeadingLF = text.charCodeAt(text.length - 1) === CR
    parser.feed(skipLeadingLF ? text + '\n' : text)
  }

  return { feed, stop }
}
