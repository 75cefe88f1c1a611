import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'

/** What a test can inspect on one shim request besides the XMLHttpRequest surface. */
export interface ShimXhr {
  readyState: number
  status: number
  responseText: string
  withCredentials: boolean
  method?: string
  url?: string
  /** Request headers as set with `setRequestHeader`. */
  requestHeaders: Record<string, string>
  /** Whether `abort()` was called. */
  aborted: boolean
}

/** An `XMLHttpRequest` constructor over node:http, and every instance it created. */
export interface XhrShim {
  XMLHttpRequest: typeof XMLHttpRequest
  instances: ShimXhr[]
}

/**
 * A minimal XMLHttpRequest over node:http, enough for pushwire's long-poll path: async
 * GET/POST, `setRequestHeader`, `withCredentials`, `onreadystatechange` with readyState
 * 1-4 and a `responseText` that grows while loading (3) and has lost its BOM, `getResponseHeader`, `abort()`
 * and status 0 on network errors. It is strict where IE11 is: `withCredentials` and
 * `setRequestHeader` throw before `open()`, so the IE11 path is held to IE11's rules.
 */
export function createXhrShim(): XhrShim {
  const instances: ShimXhr[] = []

  class ShimXMLHttpRequest implements ShimXhr {
    readyState = 0
    status = 0
    responseText = ''
    method?: string
    url?: string
    requestHeaders: Record<string, string> = {}
    aborted = false
    onreadystatechange: (() => void) | null = null
    private credentials = false
    private request?: ClientRequest
    private response?: IncomingMessage

    constructor() {
      instances.push(this)
    }

    get withCredentials(): boolean {
      return this.credentials
    }

    set withCredentials(value: boolean) {
      if (this.readyState === 0) throw new Error('InvalidStateError: withCredentials before open() (IE10/11)')
      this.credentials = value
    }

    open(method: string, url: string): void {
      this.method = method
      this.url = url
      this.setState(1)
    }

    setRequestHeader(name: string, value: string): void {
      if (this.readyState !== 1) throw new Error('InvalidStateError: setRequestHeader before open()')
      this.requestHeaders[name] = value
    }

    getResponseHeader(name: string): string | null {
      const value = this.response && this.response.headers[name.toLowerCase()]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    }

    send(body?: string): void {
      const request = httpRequest(this.url as string, { method: this.method, headers: this.requestHeaders })
      this.request = request
      request.on('response', (response) => {
        if (this.aborted) return
        this.response = response
        this.status = response.statusCode || 0
        this.setState(2)
        // Decoded as browsers decode responseText: UTF-8, its one leading BOM removed.
        const decoder = new TextDecoder()
        response.on('data', (bytes: Uint8Array) => {
          if (this.aborted) return
          this.responseText += decoder.decode(bytes, { stream: true })
          this.setState(3)
        })
        response.on('end', () => {
          if (!this.aborted) this.setState(4)
        })
        response.on('error', () => this.networkError())
      })
      request.on('error', () => this.networkError())
      request.end(body)
    }

    abort(): void {
      if (this.aborted) return
      this.aborted = true
      if (this.request) this.request.destroy()
      // As in browsers: an abort of a request in flight reports DONE with status 0, then resets.
      if (this.readyState >= 1 && this.readyState <= 3 && this.request) {
        this.status = 0
        this.setState(4)
      }
      this.readyState = 0
    }

    private networkError(): void {
      if (this.aborted || this.readyState === 4) return
      this.status = 0
      this.setState(4)
    }

    private setState(state: number): void {
      this.readyState = state
      if (this.onreadystatechange) this.onreadystatechange()
    }
  }

  return { XMLHttpRequest: ShimXMLHttpRequest as unknown as typeof XMLHttpRequest, instances }
}
