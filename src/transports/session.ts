import { createSseReader, type SseReader } from '../core/sse-reader'
import { withQuery } from '../core/url'
import { PushError } from '../errors'
import type { TransportRequest, TransportSink } from '../types'

/**
 * One connection's link to its sink. It forwards reports until the connection is closed by
 * the client or has failed, and makes sure `fail` reaches the sink at most once.
 */
export interface Session {
  /** Whether reports still reach the sink. */
  live(): boolean
  /**
   * Bytes arrived that prove the connection open: reports the open (once, with
   * `seesComments` as {@link TransportSink.open} takes it) and the activity.
   */
  open(seesComments?: boolean): void
  /** Reports that bytes arrived. */
  activity(): void
  /**
   * Stream text arrived: proves the connection open and goes through this body's SSE reader.
   * Returns false when `whole` text ended inside an event (see {@link SseReader.feed}).
   */
  read(text: string, whole?: boolean): boolean
  /** The next text starts a new body, so an unterminated event of the last one is dropped. */
  newBody(): void
  /** An event or line over `maxMessageBytes` arrived: fails with `too-large`. */
  tooLarge(): void
  /** Releases the connection and reports `error`, unless the session already ended. */
  fail(error: PushError): void
  /** Releases the connection without a report (the client closed it). Idempotent. */
  close(): void
}

/**
 * Creates the {@link Session} of one connection; `release` frees the connection's resources
 * (socket, request, timers) and runs once, when the session ends.
 */
export function createSession(sink: TransportSink, maxMessageBytes: number, release: () => void): Session {
  let live = true
  let opened = false
  let reader: SseReader | undefined

  const session: Session = {
    live: () => live,
    open(seesComments) {
      if (!live) return
      if (!opened) {
        opened = true
        sink.open(seesComments)
      }
      sink.activity()
    },
    activity() {
      if (live) sink.activity()
    },
    read(text, whole) {
      if (!live) return true
      session.open()
      // Events go from the reader straight to the sink (the hot path); the reader is stopped
      // when the session ends, even in the middle of a chunk.
      if (!reader) reader = createSseReader(sink, maxMessageBytes, session.tooLarge)
      return reader.feed(text, whole)
    },
    newBody() {
      reader = undefined
    },
    tooLarge() {
      session.fail(new PushError('too-large', `event or line over maxMessageBytes (${maxMessageBytes})`))
    },
    fail(error) {
      if (!live) return
      session.close()
      sink.fail(error)
    },
    close() {
      if (!live) return
      live = false
      reader?.stop()
      release()
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
