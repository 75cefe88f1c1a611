import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** Answers with `status` and a one-line plain-text explanation (CORS headers already set stay). */
export function replyError(res: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = message + '\n'
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  })
  res.end(body)
}

/** An HTTP error that a request step decided on; the handler turns it into a response. */
export interface HttpProblem {
  status: number
  message: string
  headers?: OutgoingHttpHeaders
}

/** Creates an {@link HttpProblem}. */
export function problem(status: number, message: string, headers?: OutgoingHttpHeaders): HttpProblem {
  return { status, message, headers }
}
