import { createParser } from 'eventsource-parser'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

/** What a test can inspect on one shim EventSource. */
export interface ShimEventSource extends EventTarget {
  readonly url: string
  readonly withCredentials: boolean
  readyState: number
  /** How many times `close()` was called. */
  closeCalls: number
  /** Event types that currently have a listener (other than `open` and `error`). */
  listenedTypes(): string[]
  close(): void
}

/** An `EventSource` constructor over the loopback server, and every instance it created. */
export interface EventSourceShim {
  EventSource: typeof EventSource
  instances: ShimEventSource[]
}

/**
 * Node 20 has no EventSource, so the eventsource transport is tested against this stand-in:
 * it GETs the URL with fetch, parses the body with eventsource-parser (independent of the
 * reader under test) and dispatches like a browser — `open` (also to `onopen`), a MessageEvent per event only
 * to types that have a listener, a `lastEventId` that persists across events, and `error`
 * (also to `onerror`) on a refused response (readyState CLOSED) or a dropped stream (readyState CONNECTING).
 * Unlike a browser it never reconnects by itself: pushwire closes it on the first error
 * anyway, which the tests check through `readyState` and `closeCalls`. The browser suite
 * covers the real one.
 */
export function createEventSourceShim(): EventSourceShim {
  const instances: ShimEventSource[] = []

  class ShimEventSourceImpl extends EventTarget implements ShimEventSource {
    static readonly CONNECTING = CONNECTING
    static readonly OPEN = OPEN
    static readonly CLOSED = CLOSED
    readonly url: string
    readonly withCredentials: boolean
    readyState = CONNECTING
    closeCalls = 0
    private readonly types = new Map<string, number>()
    private readonly controller = new AbortController()
    private lastEventId = ''

    onopen: ((event: Event) => void) | null = null
    onerror: ((event: Event) => void) | null = null

    constructor(url: string, init: EventSourceInit = {}) {
      super()
      this.url = url
      this.withCredentials = !!init.withCredentials
      // Event handler attributes, as a browser has them: listeners that call whatever is set.
      super.addEventListener('open', (event) => this.onopen?.(event))
      super.addEventListener('error', (event) => this.onerror?.(event))
      instances.push(this)
      this.connect().catch(() => this.fault(CONNECTING))
    }

    override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
      if (listener) this.types.set(type, (this.types.get(type) || 0) + 1)
      super.addEventListener(type, listener)
    }

    override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
      if (listener && this.types.get(type)) this.types.set(type, (this.types.get(type) as number) - 1)
      super.removeEventListener(type, listener)
    }

    listenedTypes(): string[] {
      return [...this.types].filter(([type, count]) => count > 0 && type !== 'open' && type !== 'error').map(([type]) => type)
    }

    close(): void {
      this.closeCalls++
      this.readyState = CLOSED
      this.controller.abort()
    }

    private async connect(): Promise<void> {
      const response = await fetch(this.url, {
        headers: { Accept: 'text/event-stream' },
        signal: this.controller.signal,
      })
      const contentType = response.headers.get('Content-Type') || ''
      if (response.status !== 200 || contentType.indexOf('text/event-stream') !== 0 || !response.body) {
        response.body?.cancel().catch(() => {})
        return this.fault(CLOSED)
      }
      if (this.readyState === CLOSED) return
      this.readyState = OPEN
      this.dispatchEvent(new Event('open'))
      const parser = createParser({
        onEvent: (event) => {
          if (event.id !== undefined) this.lastEventId = event.id
          if (this.readyState !== OPEN) return
          const init = { data: event.data, lastEventId: this.lastEventId, origin: new URL(this.url).origin }
          this.dispatchEvent(new MessageEvent(event.event || 'message', init))
        },
      })
      const decoder = new TextDecoder()
      const reader = response.body.getReader()
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        parser.feed(decoder.decode(read.value, { stream: true }))
      }
      this.fault(CONNECTING)
    }

    private fault(state: number): void {
      if (this.readyState === CLOSED) return
      this.readyState = state
      this.dispatchEvent(new Event('error'))
    }
  }

  return { EventSource: ShimEventSourceImpl as unknown as typeof EventSource, instances }
}
