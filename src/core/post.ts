import { PushError } from '../errors'
import type { TransportEnv } from '../types'
import { httpStatusError } from './http'

/** An upstream message as an HTTP request body. */
export interface PostBody {
  body: string
  contentType: string
}

/**
 * POSTs `body` to `url`: with `fetch`, else `XMLHttpRequest` (old browsers). Resolves on 2xx;
 * rejects with a {@link PushError} otherwise.
 */
export function post(
  env: TransportEnv,
  url: string,
  message: PostBody,
  headers: Record<string, string>,
  withCredentials: boolean,
): Promise<void> {
  const request = `POST ${url}`
  const allHeaders: Record<string, string> = { 'Content-Type': message.contentType }
  for (const name in headers) allHeaders[name] = headers[name]
  const { fetch, XMLHttpRequest } = env
  if (fetch) {
    return fetch(url, {
      method: 'POST',
      body: message.body,
      headers: allHeaders,
      credentials: withCredentials ? 'include' : 'same-origin',
    }).then(
      (response) => {
        if (response.status < 200 || response.status >= 300) {
          throw httpStatusError(response.status, response.headers.get('Retry-After'), request)
        }
      },
      (cause: unknown) => {
        throw new PushError('network', `${request} failed`, { cause })
      },
    )
  }
  if (!XMLHttpRequest) {
    return Promise.reject(new PushError('network', 'send() needs fetch or XMLHttpRequest'))
  }
  return new Promise<void>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url, true)
    xhr.withCredentials = withCredentials
    for (const name in allHeaders) xhr.setRequestHeader(name, allHeaders[name])
    xhr.onreadystatechange = () => {
      if (xhr.readyState !== 4) return
      if (xhr.status === 0) reject(new PushError('network', `${request} failed`))
      else if (xhr.status >= 200 && xhr.status < 300) resolve()
      else reject(httpStatusError(xhr.status, xhr.getResponseHeader('Retry-After'), request))
    }
    xhr.send(message.body)
  })
}
