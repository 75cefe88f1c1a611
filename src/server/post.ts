import type { IncomingMessage, ServerResponse } from 'node:http'
import { readBody } from './body'
import type { ServerContext } from './context'
import { replyError } from './http-reply'
import { isProblem } from './request'

/** Hands a POST body (the client's `send()`) to `onMessage` and answers 204 once it is done. */
export async function servePost(req: IncomingMessage, res: ServerResponse, context: ServerContext): Promise<void> {
  const { maxBodyBytes, onMessage } = context.options
  const body = await readBody(req, maxBodyBytes)
  if (isProblem(body)) {
    replyError(res, body.status, body.message, body.headers)
    return
  }
  if (onMessage) await onMessage(body, { transport: 'http', req })
  res.writeHead(204)
  res.end()
}
