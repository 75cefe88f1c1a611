import { noop } from '../constants'
import type { Adapter, History, StoredEvent } from './adapters/adapter'
import { encodeCursor, encodeReset, isValidEventId, isValidEventType } from './sse-encoding'
import type { PublishInput } from './types'

/** One connection the hub delivers to, whatever its transport. */
export interface HubClient {
  /**
   * Writes bytes that may be shared with other clients (it must not modify them); `written`
   * runs once they were handed to the OS, or with an error when the connection is gone.
   */
  write(payload: Buffer, written?: (error?: Error | null) => void): void
  /** Bytes written but not yet sent to the peer. */
  backlog(): number
  /** What to write on every heartbeat tick; none for a held long-poll. */
  heartbeat?: Buffer
  /** Ends the connection cleanly (server shutdown). */
  end(): void
  /** Drops the connection at once (slow consumer, `disconnectAll`, shutdown grace over). */
  destroy(): void
}

/** A client's place in the hub. */
export interface Membership {
  /** The newest event delivered when the client joined: its history runs up to here, live events start after it. */
  readonly until: StoredEvent | undefined
  /**
   * Writes the live events held back since joining, then every new one as it comes. With
   * `skipThrough`, live events up to and including that id are left out (the client has them).
   */
  release(skipThrough?: string): void
  /** Stops delivering to the client (call it when the connection closes). */
  remove(): void
}

/** Publishing, history and fan-out shared by every transport. */
export interface Hub {
  publish(input: PublishInput): Promise<string>
  /** Id of the newest event delivered to live clients; `undefined` until the adapter has started. */
  headId(): string | undefined
  /**
   * Calls `then(true)` once {@link headId} is known, at once when it is: a client must not join
   * before, as it could not be told where it starts and events stored meanwhile would pass it
   * by. Calls `then(false)` instead when the hub closes first (Redis was never reached). Returns
   * a function that forgets `then`: call it when the connection closes meanwhile, so that a
   * long wait for the adapter does not keep every connection that gave up.
   */
  afterStart(then: (started: boolean) => void): () => void
  /**
   * Starts delivering to `client`. With `holdLive`, live events are held back (within
   * `maxClientBufferBytes`) until {@link Membership.release}, so a replay can be written first.
   */
  join(client: HubClient, holdLive: boolean): Membership
  /** The history after `afterId`, up to `until` (see {@link Membership.until}). */
  history(afterId: string, until: StoredEvent | undefined): Promise<History>
  readonly size: number
  disconnectAll(): number
  /**
   * Ends the connections still waiting for the start, flushes, ends every client, and waits
   * until all are gone (destroying stragglers after `graceMs`).
   */
  close(graceMs: number): Promise<void>
}

/** Settings of {@link createHub}. */
export interface HubOptions {
  adapter: Adapter
  heartbeatMs: number
  maxClientBufferBytes: number
}

// Replays go out in pages of at most this many bytes.
const MAX_PAGE_BYTES = 64 * 1024

/** Events delivered together: one payload for every client, and the events it holds. */
interface Batch {
  payload: Buffer
  events: StoredEvent[]
}

interface Member {
  client: HubClient
  /** Live batches held back while the client's replay is written; `undefined` once released. */
  held: Batch[] | undefined
  heldBytes: number
  /** Live events up to and including this id are skipped: the client has them already. */
  skipThrough: string | undefined
}

function dataText(data: unknown): string {
  if (typeof data === 'string') return data
  const json = JSON.stringify(data)
  if (json === undefined) throw new TypeError(`pushwire/server: publish() data must be JSON-serialisable, got ${typeof data}`)
  return json
}

function validateInput(input: PublishInput): void {
  if (input === null || typeof input !== 'object') {
    throw new TypeError('pushwire/server: publish() takes an object `{ event?, data, id? }`')
  }
  if (input.event !== undefined && (typeof input.event !== 'string' || !isValidEventType(input.event))) {
    throw new TypeError('pushwire/server: publish() `event` must be a non-empty string without CR, LF or NUL')
  }
  if (input.id !== undefined && (typeof input.id !== 'string' || !isValidEventId(input.id))) {
    throw new TypeError('pushwire/server: publish() `id` must be a string of 1 to 256 characters without control characters')
  }
}

/** The part of `batch` after the event `id`, or `undefined` when `id` is not in it. */
function after(batch: Batch, id: string): Buffer | undefined {
  for (let i = 0; i < batch.events.length; i++) {
    if (batch.events[i].id === id) return Buffer.from(batch.events.slice(i + 1).map((event) => event.chunk).join(''))
  }
  return undefined
}

/**
 * Creates the hub. Events the adapter delivers in the same turn of the event loop are encoded
 * once, as one payload, and written to every client in one write or frame.
 */
export function createHub(options: HubOptions): Hub {
  const { adapter, maxClientBufferBytes } = options
  const members = new Map<HubClient, Member>()
  let pending = ''
  let pendingEvents: StoredEvent[] = []
  let head: StoredEvent | undefined
  let flushScheduled: ReturnType<typeof setImmediate> | undefined
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined
  let onEmpty: (() => void) | undefined
  let closed = false
  const startWaiters = new Set<(started: boolean) => void>()

  function endStartWait(started: boolean): void {
    const waiting = Array.from(startWaiters)
    startWaiters.clear()
    waiting.forEach((then) => then(started))
  }

  /** Stops delivering to `member`; the last one to go stops the heartbeat and lets close() finish. */
  function forget(member: Member): void {
    if (members.get(member.client) !== member) return
    members.delete(member.client)
    if (members.size > 0) return
    clearInterval(heartbeatTimer)
    heartbeatTimer = undefined
    if (onEmpty) onEmpty()
  }

  /** Drops a client's connection; it stops counting at once, not only once the socket has closed. */
  function cut(member: Member): void {
    forget(member)
    member.client.destroy()
  }

  function writeLive(member: Member, payload: Buffer): void {
    // One stuck reader must not grow the server's memory; it resumes from its Last-Event-ID.
    // Judged on what earlier writes left unsent, so one large batch does not cut healthy readers.
    if (member.client.backlog() > maxClientBufferBytes) cut(member)
    else member.client.write(payload)
  }

  function deliver(member: Member, batch: Batch): void {
    if (member.held) {
      // Held events count against the same bound as unsent bytes: a replay that is not being
      // read cannot make the server hold live events for it without end.
      if (member.client.backlog() + member.heldBytes > maxClientBufferBytes) cut(member)
      else {
        member.held.push(batch)
        member.heldBytes += batch.payload.length
      }
      return
    }
    if (member.skipThrough === undefined) return writeLive(member, batch.payload)
    const rest = after(batch, member.skipThrough)
    if (rest === undefined) return
    member.skipThrough = undefined
    if (rest.length) writeLive(member, rest)
  }

  function flush(): void {
    flushScheduled = undefined
    if (!pending) return
    const batch: Batch = { payload: Buffer.from(pending), events: pendingEvents }
    pending = ''
    pendingEvents = []
    head = batch.events[batch.events.length - 1]
    members.forEach((member) => deliver(member, batch))
  }

  function beat(): void {
    members.forEach((member) => {
      // A client being replayed to is receiving bytes already.
      if (member.client.heartbeat && !member.held) writeLive(member, member.client.heartbeat)
    })
  }

  adapter.start({
    sink: {
      deliver(events) {
        for (let i = 0; i < events.length; i++) {
          pending += events[i].chunk
          pendingEvents.push(events[i])
        }
        if (!flushScheduled && pending) flushScheduled = setImmediate(flush)
      },
      reset(headId) {
        if (flushScheduled) clearImmediate(flushScheduled)
        flush()
        const lostAfter = head ? head.id : adapter.initialHeadId() || ''
        head = { id: headId, chunk: '', bytes: 0 }
        // The cursor moves every client past the lost ids, so a reconnect does not ask for them again.
        const notice = Buffer.from(encodeReset(lostAfter) + encodeCursor(headId))
        members.forEach((member) => {
          // Mid-replay or skipping, a client's position is in the lost stream: it reconnects and is reset then.
          if (member.held || member.skipThrough !== undefined) cut(member)
          else writeLive(member, notice)
        })
      },
    },
    // Half the bound at most: a page the client has not taken yet leaves the other half for the
    // live events held back meanwhile (a page of the whole bound cut the client at the first one).
    // Bytes, as the bound counts them: a page of CJK text is up to 3 times its characters.
    pageBytes: Math.max(1, Math.min(MAX_PAGE_BYTES, Math.floor(maxClientBufferBytes / 2))),
  })
  adapter.whenStarted().then(() => endStartWait(true))

  function afterStart(then: (started: boolean) => void): () => void {
    if (closed) then(false)
    else if (headId() !== undefined) then(true)
    else {
      startWaiters.add(then)
      return () => startWaiters.delete(then)
    }
    return noop
  }

  function headId(): string | undefined {
    return head ? head.id : adapter.initialHeadId()
  }

  function publish(input: PublishInput): Promise<string> {
    let data: string
    try {
      validateInput(input)
      data = dataText(input.data)
    } catch (error) {
      return Promise.reject(error)
    }
    return adapter.append({ event: input.event, data, id: input.id })
  }

  function join(client: HubClient, holdLive: boolean): Membership {
    const member: Member = { client, held: holdLive ? [] : undefined, heldBytes: 0, skipThrough: undefined }
    members.set(client, member)
    if (!heartbeatTimer) heartbeatTimer = setInterval(beat, options.heartbeatMs)
    return {
      until: head,
      release(skipThrough) {
        const held = member.held
        if (!held || members.get(client) !== member) return
        member.held = undefined
        member.heldBytes = 0
        member.skipThrough = skipThrough
        for (const batch of held) {
          // A held batch may cut the client (its backlog is over the bound): the rest is not for it.
          if (members.get(client) !== member) return
          deliver(member, batch)
        }
      },
      remove: () => forget(member),
    }
  }

  function disconnectAll(): number {
    const count = members.size
    members.forEach(cut)
    return count
  }

  function close(graceMs: number): Promise<void> {
    closed = true
    endStartWait(false)
    if (flushScheduled) clearImmediate(flushScheduled)
    flush()
    if (members.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const grace = setTimeout(() => members.forEach(cut), graceMs)
      onEmpty = () => {
        clearTimeout(grace)
        onEmpty = undefined
        resolve()
      }
      members.forEach((member) => member.client.end())
    })
  }

  return {
    publish,
    headId,
    afterStart,
    join,
    history: adapter.history,
    get size() {
      return members.size
    },
    disconnectAll,
    close,
  }
}
