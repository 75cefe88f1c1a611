import { DEDUPE_WINDOW, HEARTBEAT_TYPE, RESET_TYPE } from './constants'
import { computeDelay, MIN_DELAY_MS } from './core/backoff'
import { resolveEnv } from './core/env'
import { post } from './core/http-request'
import { createIdMemory } from './core/id-memory'
import { createMessageIterator } from './core/iterator'
import { ANY, createListenerRegistry } from './core/listeners'
import { isOffline, isPageHidden, watchPage } from './core/page-hooks'
import { createStatusFeed } from './core/status-feed'
import { recallTransport, rememberTransport } from './core/transport-memory'
import { withQuery } from './core/url'
import { PushError } from './errors'
import { resolveOptions } from './options'
import type {
  AnyPushMessage,
  EventMap,
  PushClient,
  PushClientOptions,
  PushMessage,
  PushState,
  PushStatus,
  Resolvable,
  Transport,
  TransportConnection,
  TransportEnv,
  TransportSink,
} from './types'

type Timer = ReturnType<typeof setTimeout>
type Strings = Record<string, string>

function evaluate(value: Resolvable<Strings> | undefined): Promise<Strings | undefined> {
  return new Promise((resolve) => {
    resolve(typeof value === 'function' ? value() : value)
  })
}

/**
 * Creates a push client over the first supported transport of `options.transports` (or the
 * one an earlier client on this url had to fall back to), and starts connecting at once unless
 * `lazy` is set. The statuses of that first task reach
 * `onStatus` listeners in a microtask, so listeners added right after this call see every
 * status from `'connecting'` on; `client.state` and `client.status` are current at once.
 *
 * @example
 * const client = createPushClient({ url: '/stream', decode: 'json' })
 * const off = client.on('dish', (msg) => render(msg.data))
 * client.onStatus((s) => console.log(s.state, s.transport))
 */
export function createPushClient<E extends object = EventMap>(options: PushClientOptions): PushClient<E> {
  const config = resolveOptions(options)
  if (config.share) return config.share(options)
  const { url, retry, heartbeatTimeoutMs, connectTimeoutMs, withCredentials, transports, decode } = config
  const listeners = createListenerRegistry<PushMessage>()
  const [publishStatus, onStatus] = createStatusFeed<PushStatus>()
  // Told at once, not through the status feed: its 'closed' may still be queued when an
  // iterator is made after close() and connect(), and must not end that one.
  const closings = createListenerRegistry<void>()
  const delivered = createIdMemory(DEDUPE_WINDOW, config.lastEventId)

  // The published status.
  let status: PushStatus = { state: 'idle', transport: null, attempt: 0 }

  // The transports: those supported here (less the ones blind to bytes once a stream was seen
  // held), the one in use, and its connection.
  let env: TransportEnv | undefined
  let candidates: Transport[] = []
  let transportIndex = 0
  let current: Transport | undefined
  // The transport connect() started on (the first, or the one remembered), and whether a
  // connection of this client has proven alive yet: only a move before that says what the
  // network path blocks. After it the path has worked, and a move says the server was away (a
  // restart refuses a few opens), which must not steer the next page loads.
  let startedOn: Transport | undefined
  let worked = false
  let connection: TransportConnection | undefined
  // Every open gets a new generation; callbacks of an older one are ignored.
  let generation = 0

  // Reconnection: `attempt` counts failures in a row; the rest is what the next retry waits for.
  let attempt = 0
  let failedOpens = 0
  let authRetried = false
  let serverRetryMs: number | undefined
  let retryTimer: Timer | undefined
  let waitingForOnline = false

  // The connection being opened or open, and its liveness watchdog.
  let connectTimer: Timer | undefined
  let opened = false
  let openedAt = 0
  let lastActivityAt = 0
  // Whether lastActivityAt was read in this task: `ws` delivers dozens of frames in one task,
  // and a clock read costs as much as parsing several events.
  let clockRead = false
  let watchdogTimer: Timer | undefined
  let watchdogArmed = false
  // Once the server has sent a heartbeat event, a connection of a transport blind to comments
  // can be timed from its open.
  let heartbeatsSeen = false

  // The page: paused while hidden (pauseWhenHidden), and the listeners that tell.
  let paused = false
  let removePageHooks: (() => void) | undefined

  function setStatus(state: PushState, error?: PushError, delayMs?: number): void {
    status = { state, transport: current?.name ?? null, attempt, delayMs, error }
    publishStatus(status)
  }

  /** Headers and query for one request, evaluated now: either may be an (async) function. */
  function requestInputs(): Promise<[Strings | undefined, Strings | undefined]> {
    return Promise.all([evaluate(config.headers), evaluate(config.query)])
  }

  function dropConnection(): void {
    generation++
    clearTimeout(connectTimer)
    clearTimeout(watchdogTimer)
    // Here, not only on failure: a stable connection that was paused counts as stable too.
    // Measured from the floor up, as the delays are: with initialDelayMs 0 every open would
    // count as stable, and a server that closes at once would keep the client at the floor.
    if (opened && Date.now() - openedAt >= Math.max(retry.initialDelayMs, MIN_DELAY_MS) * 10) attempt = 0
    watchdogArmed = opened = false
    const dropped = connection
    connection = undefined
    try {
      dropped?.close()
    } catch {
      // A custom transport that fails to close is already dead to the client.
    }
  }

  function stopRetrying(): void {
    clearTimeout(retryTimer)
    retryTimer = undefined
    waitingForOnline = false
  }

  /** Drops the connection and any pending retry until the page is visible again. */
  function pause(): void {
    dropConnection()
    stopRetrying()
    paused = true
    setStatus('idle')
  }

  /** Drops the connection, any pending retry and the page listeners: closed until connect(). */
  function closeForGood(error?: PushError): void {
    dropConnection()
    stopRetrying()
    paused = false
    removePageHooks?.()
    removePageHooks = undefined
    closings.emit(ANY)
    setStatus('closed', error)
  }

  function checkWatchdog(): void {
    clearTimeout(watchdogTimer)
    if (!watchdogArmed) return
    // Compared with the clock, not counted in ticks: background tabs throttle timers.
    const silentFor = Date.now() - lastActivityAt
    if (silentFor < heartbeatTimeoutMs) watchdogTimer = setTimeout(checkWatchdog, heartbeatTimeoutMs - silentFor)
    else fail(generation, new PushError('heartbeat', `no data for ${silentFor} ms`))
  }

  /**
   * The stream flows on the connection in use (it opened by a byte, or bytes came after its
   * open): its transport is the one to start with, if this client had to move to it.
   */
  function flowing(): void {
    // Not at an open without bytes: behind a buffering proxy native EventSource opens, then
    // hears nothing. Nor ever a transport blind to comments: a page load started on it could
    // not see a held stream (a network changed since), as only a transport that sees bytes can.
    // Written once, when learned, so the opens that follow do not renew its 30 minutes: a page
    // loaded all day long still goes back to the first transport when they are over.
    if (!worked && current !== startedOn && current?.seesComments !== false) rememberTransport(url, candidates, transportIndex)
    worked = true
  }

  /**
   * Once per connection, when it has proven itself alive (for a connection blind to comments:
   * a heartbeat event): from now on it is timed.
   */
  function provenAlive(): void {
    watchdogArmed = true
    flowing()
    checkWatchdog()
  }

  /** One clock read for the activity of this task (see `clockRead`). */
  function readClock(): void {
    clockRead = true
    lastActivityAt = Date.now()
    Promise.resolve().then(() => (clockRead = false))
  }

  function fail(failedGeneration: number, error: PushError): void {
    if (failedGeneration !== generation) return
    const wasOpen = opened
    const { code, retryAfterMs } = error
    dropConnection()
    if (code === 'closed-by-server' || (code === 'auth' && authRetried)) return closeForGood(error)
    let delayMs = MIN_DELAY_MS
    if (code === 'auth') {
      // Once more, as soon as may be, with `headers` evaluated again (a fresh token, maybe).
      authRetried = true
    } else {
      if (++attempt > retry.maxAttempts) return closeForGood(error)
      if (!wasOpen && ++failedOpens >= config.fallbackAfter) {
        transportIndex = (transportIndex + 1) % candidates.length
        failedOpens = 0
      }
      delayMs = computeDelay(attempt, serverRetryMs ?? retry.initialDelayMs, retry, Math.random(), retryAfterMs)
    }
    // No point spinning while the browser knows it is offline; `online` restarts at once.
    if (isOffline()) {
      waitingForOnline = true
      setStatus('reconnecting', error)
    } else {
      // Timers are set before the status goes out, so that a listener's close() clears them.
      retryTimer = setTimeout(startAttempt, delayMs)
      setStatus('reconnecting', error, delayMs)
    }
  }

  /** Heartbeats feed the watchdog; a reset is delivered as it came and starts dedupe over. */
  function receiveReserved(type: string, data: unknown, id: string | undefined, transport: string): void {
    if (id !== undefined) delivered.setLast(id)
    if (type === HEARTBEAT_TYPE) {
      heartbeatsSeen = true
      if (!watchdogArmed) provenAlive()
    } else {
      // The server's ids may start over; old ones must not swallow new events.
      delivered.clear()
      listeners.emit(type, { type, data, id, transport, receivedAt: lastActivityAt })
    }
  }

  /** A fault in one event or frame, which was dropped: reported, and the stream goes on. */
  function reportDropped(error: PushError): void {
    setStatus(status.state, error)
  }

  function decodeFailed(type: string, cause: unknown): void {
    reportDropped(new PushError('protocol', `could not decode '${type}'`, { cause }))
  }

  function createSink(sinkGeneration: number, transport: Transport): TransportSink {
    return {
      open(seesComments = transport.seesComments) {
        if (sinkGeneration !== generation || opened) return
        clearTimeout(connectTimer)
        opened = true
        // Activity in this task is the open's own; only a later task's shows the stream flowing.
        readClock()
        openedAt = lastActivityAt
        failedOpens = 0
        authRetried = false
        // A connection blind to comments can be timed only once the server has shown that it
        // sends heartbeat events. Native EventSource asks `url`, where they may have been seen
        // on an earlier connection; a WebSocket format other than SSE (blind by this open's
        // word, not by its transport's) may be another server: only its own heartbeats count.
        if (seesComments !== false || (heartbeatsSeen && transport.seesComments === false)) provenAlive()
        setStatus('open')
      },
      activity() {
        if (sinkGeneration !== generation || clockRead) return
        // Bytes after the open: what proves a connection that opened without any (native
        // EventSource on its headers, a WebSocket of another format at the upgrade).
        if (opened) flowing()
        readClock()
      },
      // The hot path: every event of every transport comes through here. V8 inlines it, with
      // the reader and the listeners, into the parser's loop only while the whole chain stays
      // small (V8 counts bytecode, run or not), so rare work lives in other functions.
      event(type, data, id) {
        if (sinkGeneration !== generation) return
        // Most types are shorter than both reserved ones: one length test spares them two compares.
        if (type.length >= RESET_TYPE.length && (type === HEARTBEAT_TYPE || type === RESET_TYPE)) {
          return receiveReserved(type, data, id, transport.name)
        }
        if (id !== undefined && !delivered.recordIfNew(id)) return
        let decoded: unknown
        try {
          decoded = decode(data, type)
        } catch (cause) {
          return decodeFailed(type, cause)
        }
        // The time of the task that brought the event: one clock read per task, not per event.
        listeners.emit(type, { type, data: decoded, id, transport: transport.name, receivedAt: lastActivityAt })
      },
      // As `event`, for data decoded already (a websocketFormat function's): no `decode`.
      message(type, data, id) {
        if (sinkGeneration !== generation) return
        if (type === HEARTBEAT_TYPE || type === RESET_TYPE) return receiveReserved(type, data, id, transport.name)
        if (id === undefined || delivered.recordIfNew(id)) {
          listeners.emit(type, { type, data, id, transport: transport.name, receivedAt: lastActivityAt })
        }
      },
      dropped(error) {
        if (sinkGeneration === generation) reportDropped(error)
      },
      retry(ms) {
        if (sinkGeneration === generation) serverRetryMs = ms
      },
      fail(error) {
        fail(sinkGeneration, error)
      },
    }
  }

  function startAttempt(): void {
    stopRetrying()
    const attemptGeneration = ++generation
    const transport = (current = candidates[transportIndex])
    const failAttempt = (detail: string, cause?: unknown) =>
      fail(attemptGeneration, new PushError('network', `${transport.name} ${detail}`, { cause }))
    // From here on, activity is this attempt's: before an open, the headers of its response.
    lastActivityAt = 0
    connectTimer = setTimeout(() => {
      // Headers, then not a byte: a held body (a buffering proxy). Transports blind to bytes
      // would be held alike, open on the headers and never know, so they leave the list until
      // connect() makes it anew. Only a transport that sees bytes can tell, and it stays.
      if (lastActivityAt && transport.seesComments !== false) {
        candidates = candidates.filter((candidate) => candidate.seesComments !== false)
        transportIndex = candidates.indexOf(transport)
      }
      failAttempt(`did not open within ${connectTimeoutMs} ms`)
    }, connectTimeoutMs)
    setStatus('connecting')
    requestInputs().then(([headers, query]) => {
      if (attemptGeneration !== generation) return
      let opening: TransportConnection
      try {
        opening = transport.open(
          {
            url: withQuery(url, query),
            websocketUrl: withQuery(config.websocketUrl, query),
            lastEventId: delivered.last,
            lastEventIdParam: config.lastEventIdParam,
            headers: headers || {},
            withCredentials,
            maxMessageBytes: config.maxMessageBytes,
            eventTypes: listeners.keys(),
            websocketFormat: config.websocketFormat,
            websocketProtocols: config.websocketProtocols,
            env: env as TransportEnv,
          },
          createSink(attemptGeneration, transport),
        )
      } catch (cause) {
        return failAttempt('could not open', cause)
      }
      // The transport may have failed synchronously inside open().
      if (attemptGeneration === generation) connection = opening
      else opening.close()
    }, (cause: unknown) => failAttempt('headers or query failed', cause))
  }

  function shouldPause(): boolean {
    return config.pauseWhenHidden === true && isPageHidden()
  }

  function installPageHooks(): void {
    if (removePageHooks) return
    removePageHooks = watchPage({
      online: () => (waitingForOnline || retryTimer !== undefined ? startAttempt() : checkWatchdog()),
      offline() {
        if (retryTimer === undefined) return
        stopRetrying()
        waitingForOnline = true
        // The announced delayMs no longer holds: now the client waits for `online`.
        setStatus('reconnecting', status.error)
      },
      visibilityChange() {
        if (shouldPause()) {
          if (!paused) pause()
        } else if (paused) {
          paused = false
          startAttempt()
        } else {
          checkWatchdog()
        }
      },
    })
  }

  function connect(): void {
    if ((status.state !== 'idle' && status.state !== 'closed') || paused) return
    env = resolveEnv(config)
    const context = { env, hasHeaders: config.headers !== undefined }
    candidates = transports.filter((transport) => transport.isSupported(context))
    current = candidates[0]
    attempt = failedOpens = 0
    authRetried = false
    // Where an earlier client on this url had to fall back, start with what worked for it.
    transportIndex = recallTransport(url, candidates)
    startedOn = candidates[transportIndex]
    if (!current) {
      const names = transports.map((transport) => transport.name).join(', ')
      return closeForGood(new PushError('network', `none of [${names}] is supported here`))
    }
    installPageHooks()
    if (shouldPause()) pause()
    else startAttempt()
  }

  function send(data: string | object): Promise<void> {
    if (status.state === 'closed') return Promise.reject(new PushError('network', 'send() on a closed client'))
    const isText = typeof data === 'string'
    const body = isText ? data : JSON.stringify(data)
    if (connection?.send && connection.canSend?.()) {
      try {
        connection.send(body)
        return Promise.resolve()
      } catch (cause) {
        return Promise.reject(new PushError('network', 'send() failed', { cause }))
      }
    }
    const contentType = isText ? 'text/plain;charset=UTF-8' : 'application/json'
    return requestInputs().then(([headers, query]) =>
      post(env || resolveEnv(config), withQuery(url, query), body, contentType, headers, withCredentials),
    )
  }

  function iterate(): AsyncIterator<PushMessage> {
    return createMessageIterator(
      (listener) => listeners.add(ANY, listener),
      (listener) => closings.add(ANY, listener),
      status.state === 'closed',
    )
  }

  const client = {
    on(type: string, listener: (message: PushMessage) => void) {
      const isNewType = type !== ANY && !listeners.has(type)
      const off = listeners.add(type, listener)
      if (isNewType) connection?.listen?.(type)
      return off
    },
    onStatus,
    get state() {
      return status.state
    },
    get transport() {
      return status.transport
    },
    get lastEventId() {
      return delivered.last()
    },
    get status() {
      return status
    },
    connect,
    close() {
      if (status.state !== 'closed') closeForGood()
    },
    send,
  } as unknown as PushClient<E>

  // Assigned, not declared, so the legacy bundle loads where Symbol is missing (IE11).
  if (typeof Symbol === 'function' && Symbol.asyncIterator) {
    ;(client as unknown as Record<symbol, () => AsyncIterator<AnyPushMessage<E>>>)[Symbol.asyncIterator] =
      iterate as () => AsyncIterator<AnyPushMessage<E>>
  }
  if (!config.lazy) connect()
  return client
}
