import { vi } from 'vitest'

// Tabs for tests in Node, under fake timers: each has its own global scope (for page lifecycle
// events), and the BroadcastChannels and Web Locks requests made while it is current belong to
// it, so that crashing it takes exactly those away, as a browser does.

let current: FakeTab | undefined

function owner(): FakeTab {
  if (!current) throw new Error('a fake channel or lock request outside inTab()')
  return current
}

/** One browsing context: its page events, channels and lock requests. */
export class FakeTab {
  readonly scope = new EventTarget()
  readonly channels = new Set<FakeBroadcastChannel>()
  crashed = false

  constructor(readonly name: string) {}

  /** Dispatches a page lifecycle event (`pagehide`, `freeze`, …) at the tab's global scope. */
  fire(type: string, persisted = false): void {
    current = this
    try {
      this.scope.dispatchEvent(Object.assign(new Event(type), { persisted }))
    } finally {
      current = undefined
    }
  }

  /** Takes the tab away without a word: its channels go quiet, its locks are released. */
  crash(): void {
    this.crashed = true
    this.channels.forEach((channel) => channel.close())
    locksInUse.forEach((locks) => locks.dropTab(this))
  }
}

const channels = new Map<string, Set<FakeBroadcastChannel>>()

/**
 * A BroadcastChannel as the HTML spec has it: `postMessage` clones the message and queues it
 * for every other open channel of the name at once; each receiver takes its queue in order,
 * one message per task, `latencyMs` after it was posted. A receiver that closes gets nothing
 * more of what is still queued.
 */
export class FakeBroadcastChannel {
  static latencyMs = 0
  onmessage: ((event: MessageEvent) => void) | null = null
  private closed = false
  private readonly inbox: Array<{ data: unknown; at: number }> = []
  private draining = false
  readonly tab = owner()

  constructor(readonly name: string) {
    if (!channels.has(name)) channels.set(name, new Set())
    ;(channels.get(name) as Set<FakeBroadcastChannel>).add(this)
    this.tab.channels.add(this)
  }

  postMessage(message: unknown): void {
    // What a crashed tab still does in this fake goes nowhere, as in a browser, where it does nothing.
    if (this.tab.crashed) return
    if (this.closed) throw new DOMException('BroadcastChannel is closed', 'InvalidStateError')
    ;(channels.get(this.name) as Set<FakeBroadcastChannel>).forEach((receiver) => {
      if (receiver === this) return
      receiver.inbox.push({ data: structuredClone(message), at: Date.now() + FakeBroadcastChannel.latencyMs })
      receiver.drain()
    })
  }

  close(): void {
    this.closed = true
    this.inbox.length = 0
    ;(channels.get(this.name) as Set<FakeBroadcastChannel>).delete(this)
  }

  private drain(): void {
    if (this.draining || !this.inbox.length) return
    this.draining = true
    setTimeout(
      () => {
        this.draining = false
        const next = this.inbox.shift()
        if (next && !this.closed && this.onmessage) this.onmessage({ data: next.data } as MessageEvent)
        this.drain()
      },
      Math.max(0, this.inbox[0].at - Date.now()),
    )
  }
}

interface LockRequest {
  tab: FakeTab
  callback: () => unknown
  settle: [resolve: (value: unknown) => void, reject: (error: unknown) => void]
  release?: () => void
}

const locksInUse = new Set<FakeLocks>()

/** The Web Locks API's exclusive `request`: one holder per name, the others queued in order. */
export class FakeLocks {
  private readonly held = new Map<string, LockRequest>()
  private readonly queues = new Map<string, LockRequest[]>()

  constructor() {
    locksInUse.add(this)
  }

  /** The tab holding lock `name`, if any. */
  holder(name: string): FakeTab | undefined {
    return this.held.get(name)?.tab
  }

  request(name: string, options: { signal?: AbortSignal }, callback: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request: LockRequest = { tab: owner(), callback, settle: [resolve, reject] }
      const queue = this.queues.get(name) || []
      this.queues.set(name, queue)
      queue.push(request)
      options.signal?.addEventListener('abort', () => {
        const index = queue.indexOf(request)
        if (index === -1) return
        queue.splice(index, 1)
        reject(new DOMException('The request was aborted.', 'AbortError'))
      })
      this.grant(name)
    })
  }

  dropTab(tab: FakeTab): void {
    this.queues.forEach((queue) => queue.splice(0, queue.length, ...queue.filter((request) => request.tab !== tab)))
    this.held.forEach((request) => {
      if (request.tab === tab) request.release?.()
    })
  }

  private grant(name: string): void {
    // Granted in a task of its own, as the browser does.
    setTimeout(() => {
      const queue = this.queues.get(name) || []
      if (this.held.has(name) || !queue.length) return
      const request = queue.shift() as LockRequest
      this.held.set(name, request)
      let released = false
      request.release = () => {
        if (released) return
        released = true
        this.held.delete(name)
        this.grant(name)
      }
      Promise.resolve(request.callback()).then(
        (value) => {
          request.release?.()
          request.settle[0](value)
        },
        (error) => {
          request.release?.()
          request.settle[1](error)
        },
      )
    })
  }
}

/**
 * Runs `make` with `tab` current, and lets what it started run its microtasks there: the
 * shared client opens its channels and asks for its lock a few microtasks after connect().
 */
export async function inTab<T>(tab: FakeTab, make: () => T): Promise<T> {
  current = tab
  vi.stubGlobal('self', tab.scope)
  try {
    const made = make()
    for (let i = 0; i < 20; i++) await Promise.resolve()
    return made
  } finally {
    current = undefined
    vi.stubGlobal('self', undefined)
  }
}

/** Installs the fakes as globals: BroadcastChannel always, `navigator.locks` when `withLocks`. */
export function installFakeTabs(withLocks: boolean): FakeLocks | undefined {
  channels.clear()
  locksInUse.clear()
  FakeBroadcastChannel.latencyMs = 0
  const locks = withLocks ? new FakeLocks() : undefined
  vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel)
  vi.stubGlobal('navigator', locks ? { locks } : {})
  return locks
}
