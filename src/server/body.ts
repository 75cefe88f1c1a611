import type { IncomingMessage } from 'node:http'
import { problem, type HttpProblem } from './http-reply'

function tooLarge(maxBytes: number): HttpProblem {
  // The rest of the body is not read: close the connection instead of draining it.
  return problem(413, `Request body larger than ${maxBytes} bytes (maxBodyBytes)`, { Connection: 'close' })
}

/** A body that middleware such as express.json()/express.text() already read. */
function parsedBody(req: IncomingMessage): string | undefined {
  const body = (req as IncomingMessage & { body?: unknown }).body
  if (!req.readableEnded || body === undefined) return undefined
  if (typeof body === 'string') return body
  if (Buffer.isBuffer(body)) return body.toString('utf8')
  return JSON.stringify(body)
}

/** Reads a request body as UTF-8 text, at most `maxBytes` bytes (413 beyond). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | HttpProblem> {
  const parsed = parsedBody(req)
  if (parsed !== undefined) {
    return Promise.resolve(Buffer.byteLength(parsed) > maxBytes ? tooLarge(maxBytes) : parsed)
  }
  if (req.readableEnded) {
    // Waiting for data that was consumed already would leave the request hanging for good.
    return Promise.resolve(problem(400, 'Request body was already read by other middleware, and not kept in req.body'))
  }
  if (Number(req.headers['content-length']) > maxBytes) return Promise.resolve(tooLarge(maxBytes))
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    let size = 0
    let settled = false
    function settle(result: string | HttpProblem): void {
      if (settled) return
      settled = true
      parts.length = 0
      resolve(result)
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      if (size > maxBytes) settle(tooLarge(maxBytes))
      else parts.push(chunk)
    })
    req.on('end', () => settle(Buffer.concat(parts).toString('utf8')))
    req.on('error', () => settle(problem(400, 'Request body could not be read')))
  })
}
