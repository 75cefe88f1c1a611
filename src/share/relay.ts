import { createPushClient } from '../client'
import { DEDUPE_WINDOW, noop, RESET_TYPE } from '../constants'
import { globalScope } from '../core/env'
import { resolveUrl } from '../core/url'
import { createIdMemory, type IdMemory } from '../core/id-memory'
import { ANY } from '../core/listeners'
import { isPageHidden } from '../core/page-hooks'
import { createStatusFeed } from '../core/status-feed'
import { PushError } from '../errors'
import type { PushClient, PushClientOptions, PushStatus, ShareRole, TransportSink } from '../types'
import { createChannelElection } from './channel-election'
import type { Election, ElectionEvents } from './election'
import { createLockElection } from './lock-election'
import { CATCH_UP, HISTORY_CHARS, HISTORY_EVENTS, LEAVE, RELAY, SEND, SENT, TAB, type Item, type Message, type RawEvent, type WireError } from './protocol'

/** What an event's data counts against the history's bound: decoded data counts nothing. */
function charsOf(data: unknown): number {
  return typeof data === 'string' ? data.length : 0
}

function toWireError(error: unknown): WireError {
  const { code, message, status, retryAfterMs } = error instanceof PushError ? error : new PushError('network', String(error))
  return [code, message, { status, retryAfterMs }]
}

/**
 * A client that shares one connection with the clients (in other tabs, or in this one) of
 * `key` (by default the resolved url), and the relay protocol between them; an unshared
 * client where `BroadcastChannel` is missing or refused (opaque origins).
 *
 * Messages reach the listeners through a client of the tab's own whose only transport is the
 * relay, so each tab decodes, dedupes, iterates and keeps its resume point as an unshared
 * client does; the statuses are those of the shared connection, with the tab's `role`.
 *
 * The leader runs a client with the user's options and posts every event (raw, before
 * decoding) and status to the channel, batched per task; every tab, the leader included,
 * delivers what it accepts itself. A `BroadcastChannel` queues a message for every receiver
 * when it is posted, so a follower sees everything an old leader relayed before anything of
 * the leader after it, which resumed from no further than that. So a follower takes relays
 * from whichever tab sends them, and a new sender counts as a new connection: what its resume
 * replays that the tab has delivered is dropped by id, and nothing is missing. That holds
 * while two tabs lead at once as well (the channel election, for a moment): neither one's
 * events with ids can repeat or skip in a tab (those without can, as across any reconnect).
 * Every tab keeps the types and awakeness of the others, so a tab that takes over knows at
 * once what to listen to and whether to connect.
 */
export function createSharedClient<E extends object>(clientOptions: PushClientOptions, key?: string): PushClient<E> {
  const options = { ...clientOptions, share: undefined }
  // The wire version in the name keeps apart tabs whose pushwire versions relay differently.
  const name = 'pushwire/1:' + (key || resolveUrl(options.url))
  try {
    new BroadcastChannel(name).close()
  } catch {
    return createPushClient<E>(options)
  }
  const connecting: PushStatus = { state: 'connecting', transport: null, attempt: 0 }
  const [publishStatus, onStatus] = createStatusFeed<PushStatus>()
  /** Event types this tab or another one listens to: the connection listens to them all. */
  const types: string[] = []
  /** The other tabs taking part: whether each wants the connection open, and its resume point while it joins. */
  const tabs = new Map<string, [awake: boolean, last?: string]>()
  /** The latest events this tab delivered, for catching up a tab that joins. */
  const history: RawEvent[] = []
  let historyChars = 0
  /** The resume point just before the history's first event: a tab there has missed only the history. */
  let historyStart: string | undefined
  /** Sends waiting for the leader's answer: each settles with the error, if any. */
  const pending = new Map<number, (error?: WireError) => void>()
  let status: PushStatus = { state: 'idle', transport: null, attempt: 0 }
  /** The last status of the shared connection, as relayed (or reported, in the leader). */
  let shared = connecting
  let role: ShareRole | undefined
  /**
   * The resume point this tab joined with (an empty id is none), until the leader has caught
   * it up: meanwhile it takes no relay.
   */
  let catchingUp: string | undefined
  let started = false
  let lastRef = 0
  // While connected: this tab's id, the channel, where its client takes events, and its memory
  // of delivered ids.
  let id = ''
  let channel: BroadcastChannel | undefined
  let sink: TransportSink | undefined
  let memory: IdMemory | undefined
  let election: Election | undefined
  /** The tab whose relays this tab took last (itself while its connection runs). */
  let source: string | undefined
  // The leader's connection, and what waits to be posted.
  let upstream: PushClient | undefined
  let outbox: Item[] = []

  function setStatus(next: PushStatus): void {
    // Until it leads, a tab follows: the connection is not its own. A closed tab keeps the role
    // it closed in.
    status = { ...next, role: role || (next.state === 'closed' && status.role) || 'follower' }
    publishStatus(status)
  }

  function show(next: PushStatus): void {
    shared = next
    // The shared connection ended for good (HTTP 204, say): so does this client, as unshared.
    if (next.state === 'closed') end()
    setStatus(next)
  }

  /** Posts to the other tabs; nothing once this tab's channel is closed (a send answered late). */
  function post(message: Message): void {
    channel?.postMessage(message)
  }

  function awake(): boolean {
    return !(options.pauseWhenHidden && isPageHidden())
  }

  function announce(): void {
    post([TAB, id, types, awake(), catchingUp])
  }

  /** Adds `type` to the known types (and to a running connection); returns whether it is new. */
  function learn(type: string): boolean {
    if (types.indexOf(type) >= 0) return false
    types.push(type)
    upstream?.on(type, noop)
    return true
  }

  function failPending(): void {
    pending.forEach((settle) => settle(['network', 'send() failed: the leading tab left', {}]))
    pending.clear()
  }

  /**
   * Sends as an unshared client would from here: on the leader's WebSocket, else a POST with
   * the user's headers and query. A closed tab's own client refuses it.
   */
  function sendHere(data: string | object): Promise<void> {
    return (upstream || (status.state === 'closed' ? inner : poster)).send(data)
  }

  /** Delivers an event unless this tab has it already; returns whether it did. */
  function deliver(event: RawEvent): boolean {
    const [type, data, eventId, decoded] = event
    if (!history.length) historyStart = (memory as IdMemory).last()
    // Ids may start over after a reset: the old ones must not swallow new events.
    if (type === RESET_TYPE) (memory as IdMemory).clear()
    else if (eventId !== undefined && !(memory as IdMemory).recordIfNew(eventId)) return false
    history.push(event)
    historyChars += charsOf(data)
    while (history.length > HISTORY_EVENTS || historyChars > HISTORY_CHARS) {
      const dropped = history.shift() as RawEvent
      historyChars -= charsOf(dropped[1])
      // After an event without an id, no resume point stands just before the rest.
      historyStart = dropped[2]
    }
    ;(sink as TransportSink).activity()
    if (decoded) (sink as TransportSink).message(type, data, eventId)
    else (sink as TransportSink).event(type, data as string, eventId)
    return true
  }

  /**
   * Tells tab `to` where the connection stands and, when it joins with resume point `last`,
   * brings it up to date with the events after `last`. Whatever was relayed before goes out
   * first, and the tab takes no relay before this one.
   */
  function catchUp(to: string, last?: string): void {
    flush()
    const items: Item[] = [wireStatus()]
    if (last !== undefined) {
      let index = history.length
      while (index-- && history[index][2] !== last);
      if (index >= 0 || last === historyStart) items.push(...history.slice(index + 1))
      // Neither in the history nor where this tab stands: as the server does, say so with a
      // reset, then give what there is.
      else if (last !== (memory as IdMemory).last()) items.push([RESET_TYPE, JSON.stringify({ lastEventId: last })], ...history)
    }
    post([CATCH_UP, id, to, items])
  }

  function wireStatus(): Item {
    return { ...shared, error: shared.error && toWireError(shared.error) }
  }

  function flush(): void {
    const items = outbox
    outbox = []
    if (!items.length) return
    try {
      post([RELAY, id, items])
    } catch {
      // One item the channel cannot clone (a websocketFormat function's data with a method in
      // it) must not take the others with it: they go one by one.
      items.forEach(relayAlone)
    }
  }

  function relayAlone(item: Item): void {
    try {
      post([RELAY, id, [item]])
    } catch (cause) {
      // Only an event whose data came decoded fails (statuses and raw data always clone): it
      // leaves the history too, so that no catch-up fails on it. A 'protocol' error, as for an
      // event that cannot be decoded: the other tabs drop this one event, the stream goes on.
      const index = history.indexOf(item as RawEvent)
      if (index >= 0) history.splice(index, 1)
      show({ ...shared, error: new PushError('protocol', `could not pass '${(item as RawEvent)[0]}' to the other tabs`, { cause }) })
      post([RELAY, id, [wireStatus()]])
    }
  }

  // ---- leading ------------------------------------------------------------------------------

  function relay(item: Item): void {
    if (!outbox.length) Promise.resolve().then(flush)
    outbox.push(item)
  }

  function report(next: PushStatus): void {
    shared = next
    // Queued first: a terminal status makes the tab leave, which flushes the queue.
    relay(wireStatus())
    show(next)
  }

  function start(): void {
    source = id
    // It opens in a later task: the listeners and types added below are there.
    const client = (upstream = createPushClient({
      ...options,
      lazy: false,
      decode: 'text',
      pauseWhenHidden: false,
      lastEventId: (memory as IdMemory).last(),
    }))
    // Where the connection stands now: not where the last one ended (closed by the server, say),
    // for a tab that joins before the new one's first status.
    shared = client.status
    client.on(ANY, (message) => {
      // A websocketFormat function's messages come decoded: the tabs must not decode them again.
      const decoded = message.transport === 'websocket' && typeof options.websocketFormat === 'function'
      const event: RawEvent = [message.type, message.data, message.id, decoded]
      // A listener may close the client (or the page hand over) as the event is delivered: a
      // tab that no longer leads relays nothing.
      if (client === upstream && deliver(event) && role === 'leader') relay(event)
    })
    // A stopped connection's own `closed` is not the shared connection's.
    client.onStatus((next) => client === upstream && report(next))
    types.forEach((type) => client.on(type, noop))
  }

  function stop(): void {
    const client = upstream
    upstream = undefined
    client?.close()
  }

  /** Runs the connection while some tab wants it: paused only while every tab is asleep. */
  function update(): void {
    let wanted = awake()
    tabs.forEach(([tabAwake]) => (wanted = wanted || tabAwake))
    if (role !== 'leader' || wanted === !!upstream) return
    if (wanted) return start()
    stop()
    pause()
  }

  /** Reports the shared connection paused (as an unshared client's, it keeps its transport). */
  function pause(): void {
    report({ state: 'idle', transport: shared.transport, attempt: 0 })
  }

  const electionEvents: ElectionEvents = {
    lead() {
      failPending()
      role = 'leader'
      catchingUp = undefined
      update()
      if (!upstream) pause()
      // Tabs that joined while no tab led are still waiting.
      tabs.forEach(([, last], tab) => last !== undefined && catchUp(tab, last))
    },
    // Another tab took the lead from this one (the channel election).
    follow() {
      flush()
      stop()
      role = 'follower'
    },
  }

  // ---- following ----------------------------------------------------------------------------

  function take(from: string, items: Item[]): void {
    if (from !== source) {
      source = from
      failPending()
    }
    for (let i = 0; i < items.length && role === 'follower'; i++) {
      const item = items[i]
      if (Array.isArray(item)) deliver(item)
      else show({ ...item, error: item.error && new PushError(...item.error) })
    }
  }

  function receive({ data }: MessageEvent<Message>): void {
    if (!role || (data[0] > RELAY && data[2] !== id)) return
    const from = data[1]
    if (data[0] === TAB) {
      const last = data[4]
      const known = tabs.has(from)
      tabs.set(from, [data[3], last])
      // A tab new here learns of this one and, from the leader, where the connection stands.
      if (!known) announce()
      if (role === 'leader' && (!known || last !== undefined)) catchUp(from, last)
      data[2].forEach(learn)
      update()
    } else if (data[0] === LEAVE) {
      tabs.delete(from)
      update()
    } else if (data[0] === RELAY) {
      if (role === 'follower' && !catchingUp) take(from, data[2])
    } else if (data[0] === CATCH_UP) {
      if (role !== 'follower') return
      // Where the connection stands, then the catch-up, which only a tab still waiting for one
      // takes (a tab that asked twice is answered twice).
      take(from, catchingUp ? data[3] : data[3].slice(0, 1))
      catchingUp = undefined
    } else if (data[0] === SEND) {
      const ref = data[3]
      sendHere(data[4])
        .then(noop, toWireError)
        .then((error) => post([SENT, id, from, ref, error as WireError | undefined]))
    } else if (data[0] === SENT) {
      // None for a send failed already (its leader's successor took over meanwhile).
      pending.get(data[3])?.(data[4])
      pending.delete(data[3])
    } else {
      ;(election as Election).receive(data)
    }
  }

  // ---- taking part --------------------------------------------------------------------------

  /** Takes part until the returned function is called (the tab's client closes). */
  function join(opened: TransportSink): () => void {
    id = String(Math.random())
    sink = opened
    memory = createIdMemory(DEDUPE_WINDOW, inner.lastEventId)
    channel = new BroadcastChannel(name)
    channel.onmessage = receive
    const locks = typeof navigator !== 'undefined' && navigator.locks
    election = locks ? createLockElection(locks, name, electionEvents) : createChannelElection(post, id, electionEvents)
    const resume = () => {
      if (role) return
      role = 'follower'
      catchingUp = (memory as IdMemory).last()
      announce()
      ;(election as Election).join()
    }
    const suspend = () => {
      if (!role) return
      // The connection first: a leader stops its own before the next tab can start one.
      flush()
      stop()
      post([LEAVE, id])
      role = undefined
      failPending()
      // Tabs that leave meanwhile go unheard; the others say hello again on the way back.
      tabs.clear()
      ;(election as Election).leave()
    }
    // A page hidden in the back/forward cache, frozen or unloading hands the connection over
    // at once, and takes part again when it is shown or resumed. The document's events are
    // caught on their way through the window; in a worker none of them ever fires.
    const scope = (globalScope() || {}) as Partial<EventTarget>
    const hooks: Record<string, () => void> = {
      pagehide: suspend,
      pageshow: resume,
      freeze: suspend,
      resume,
      visibilitychange: () => role && (update(), announce()),
    }
    const each = (method: 'addEventListener' | 'removeEventListener') => {
      // Outside pages and workers (Node) there is no event target to listen on.
      for (const type in hooks) if (scope[method]) (scope as EventTarget)[method](type, hooks[type], true)
    }
    each('addEventListener')
    resume()
    return () => {
      suspend()
      each('removeEventListener')
      ;(channel as BroadcastChannel).close()
      channel = undefined
    }
  }

  // A client that never connects: it POSTs for the tab when no WebSocket of the shared
  // connection can carry a send().
  const poster = createPushClient({ ...options, lazy: true })
  // Without the connection's options: `headers` and `query` are evaluated in the leader only,
  // and one failing here (a token this tab could not fetch) must not keep the tab from the
  // leader's events.
  const inner = createPushClient<E>({
    ...options,
    headers: undefined,
    query: undefined,
    lazy: true,
    pauseWhenHidden: false,
    transports: [
      {
        // Read for each message: the transport of the shared connection.
        get name() {
          return status.transport || 'share'
        },
        // Heartbeats stay with the leader's connection; none come through here to arm a watchdog.
        seesComments: false,
        isSupported: () => true,
        // The types this tab listens to reach the others as the client learns them. The
        // connection closes with the client.
        open(request, opened) {
          request.eventTypes.forEach(learn)
          opened.open()
          return { close: join(opened), listen: (type) => learn(type) && role && announce() }
        },
      },
    ],
  })
  // Only a decode failure reports an error here: the relay itself never fails.
  inner.onStatus((innerStatus) => innerStatus.error && setStatus({ ...status, error: innerStatus.error }))

  function end(): void {
    started = false
    inner.close()
  }

  // The inner client's iterator and lastEventId are this client's; the rest is the share's.
  const client = Object.create(inner, {
    state: { get: () => status.state },
    transport: { get: () => status.transport },
    status: { get: () => status },
  }) as PushClient<E>
  client.onStatus = onStatus
  client.connect = () => {
    if (started) return
    started = true
    setStatus(connecting)
    inner.connect()
  }
  client.close = () => {
    if (status.state === 'closed') return
    end()
    setStatus({ state: 'closed', transport: status.transport, attempt: status.attempt })
  }
  client.send = (data) => {
    if (role !== 'follower' || source === id || status.transport !== 'websocket') return sendHere(data)
    const text = typeof data === 'string' ? data : JSON.stringify(data)
    return new Promise((resolve, reject) => {
      pending.set(++lastRef, (error) => (error ? reject(new PushError(...error)) : resolve()))
      post([SEND, id, source as string, lastRef, text])
    })
  }
  if (!options.lazy) client.connect()
  return client
}
