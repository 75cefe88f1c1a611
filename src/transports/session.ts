import { createSseReader, type SseReader } from '../core/sse-reader'
import { withQuery } from '../core/url'
import { PushError } from '../errors'
import type { TransportEvent, TransportRequest, TransportSink } from '../types'

/**
 * One connection's link to its sink. It forwards reports until the connection is closed by
 * the client or has failed, and makes sure `fail` reaches the sink at most once.
 */
export interface Session {
  /** Whether reports still reach the sink. */
  isLive(): boolean
  /** Reports the successful open (once). */
  open(): void
  /** Reports that bytes arrived. */
  activity(): void
  /** Reports a complete event. */
  event(event: TransportEvent): void
  /** Releases the connection and reports `error`, unless the session already ended. */
  fail(error: PushError): void
  /** Releases the connection without a report (the client closed it). Idempotent. */
  close(): void
  /** A fresh SSE reader whose events, `retry:` and overflow go to this session. */
  newReader(): SseReader
}

/**
 * Creates the {@link Session} of one connection; `release` frees the connection's resources
 * (socket, request, timers) and runs once, when the session ends.
 */
export function createSession(sink: TransportSink, maxMessageBytes: number, release: () => void): Session {
  let live = true
  let opened = false

  function end(): boolean {
    if (!live) return false
    live = false
    release()
    return true
  }

  const session: Session = {
    isLive: () => live,
    open() {
      if (!live || opened) return
      opened = true
      sink.open()
    },
    activity() {
      if (live) sink.activity()
    },
    // The reader may hold more events of the same chunk after a listener closed the client.
    event(event) {
      if (live) sink.event(event)
    },
    fail(error) {
      if (end()) sink.fail(error)
    },
    close() {
      end()
    },
    newReader() {
      return createSseReader(
        {
          event: session.event,
          retry(ms) {
            if (live) sink.retry(ms)
          },
          tooLarge() {
            session.fail(new PushError('too-large', `an event or line is longer than maxMessageBytes (${maxMessageBytes})`))
          },
        },
        maxMessageBytes,
      )
    },
  }
  return session
}

/**
 * `url` with the resume point in the query (where no `Last-Event-ID` header can carry it),
 * and `transport=<name>` so the server knows how to send heartbeats.
 */
export function resumeUrl(url: string, request: TransportRequest, transport?: string): string {
  const params: Record<string, string | undefined> = { transport }
  // An empty id means "no resume point", as with Last-Event-ID.
  params[request.lastEventIdParam] = request.lastEventId() || undefined
  return withQuery(url, params)
}
