import type { IncomingMessage } from 'node:http'
import { problem, type HttpProblem } from './http-reply'
import { isValidEventId, MAX_ID_LENGTH } from './sse-encoding'

/** Transports a plain HTTP request may name in `?transport=`. */
const HTTP_TRANSPORTS = ['eventsource', 'fetch-sse', 'long-poll'] as const

/** A transport served over plain HTTP. */
export type HttpTransport = (typeof HTTP_TRANSPORTS)[number]

/** What a stream request asks for. */
export interface StreamRequest {
  /** The `transport` query value, when given. */
  transport: HttpTransport | undefined
  /** The resume point: `Last-Event-ID` header, else the `lastEventId` query parameter. */
  lastEventId: string | undefined
}

/** The path and query of `req.url`; a fixed origin keeps Host headers and `//host` paths out of it. */
export function requestUrl(req: IncomingMessage): URL {
  const raw = req.url || '/'
  try {
    return new URL('http://localhost' + (raw.charAt(0) === '/' ? raw : '/' + raw))
  } catch {
    return new URL('http://localhost/')
  }
}

/** Browsers send `Last-Event-ID` as UTF-8, and Node hands header bytes over as Latin-1. */
function fromUtf8Header(value: string): string {
  return Buffer.from(value, 'latin1').toString('utf8')
}

/**
 * The resume point: the `Last-Event-ID` header, else the `lastEventId` query parameter
 * (native EventSource and WebSocket cannot set headers). Malformed → 400.
 */
export function readLastEventId(req: IncomingMessage, url: URL): string | undefined | HttpProblem {
  const header = req.headers['last-event-id']
  const value = typeof header === 'string' && header !== '' ? fromUtf8Header(header) : url.searchParams.get('lastEventId')
  if (value === null || value === '') return undefined
  if (!isValidEventId(value)) {
    return problem(400, `Malformed lastEventId: at most ${MAX_ID_LENGTH} characters, no control characters`)
  }
  return value
}

/** Reads `transport` and the resume point of a GET; header `Last-Event-ID` wins over the query. */
export function parseStreamRequest(req: IncomingMessage): StreamRequest | HttpProblem {
  const url = requestUrl(req)
  const transport = url.searchParams.get('transport')
  if (transport === 'websocket') {
    return problem(400, 'transport=websocket needs a WebSocket upgrade request (see PushServer.attach)')
  }
  if (transport !== null && (HTTP_TRANSPORTS as readonly string[]).indexOf(transport) === -1) {
    return problem(400, `Unknown transport ${JSON.stringify(transport.slice(0, 50))}; expected one of ${HTTP_TRANSPORTS.join(', ')}`)
  }
  const lastEventId = readLastEventId(req, url)
  if (isProblem(lastEventId)) return lastEventId
  return { transport: (transport ?? undefined) as HttpTransport | undefined, lastEventId }
}

/** Whether `value` is an {@link HttpProblem} rather than a result. */
export function isProblem(value: unknown): value is HttpProblem {
  return typeof value === 'object' && value !== null && 'status' in value && 'message' in value
}
