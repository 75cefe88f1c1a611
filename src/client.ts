import { computeDelay } from './core/backoff'
import { globalScope, resolveEnv } from './core/env'
import { createIdMemory } from './core/id-memory'
import { createListenerRegistry } from './core/listeners'
import { post } from './core/post'
import { withQuery } from './core/url'
import { PushError } from './errors'
import { resolveOptions } from './options'
import type {
  AnyPushMessage,
  EventMap,
  PushClient,
  PushClientOptions,
  PushMessage,
  PushStatus,
  Resolvable,
  Transport,
  TransportConnection,
  TransportEnv,
  TransportEvent,
  TransportSink,
} from './types'

const HEARTBEAT = 'pushwire:heartbeat'
const RESET = 'pushwire:reset'
const ANY = '*'
const STATUS = 'status'
/** Delivered ids remembered for dedupe; a resume replays far fewer than this. */
const DEDUPE_WINDOW = 1024
/** Unread messages an async iterator may hold before it fails instead of growing. */
const MAX_ITERATOR_BACKLOG = 10000

type Timer = ReturnType<typeof setTimeout>

function evaluate<T>(value: Resolvable<T> | undefined): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve) => {
    resolve(typeof value === 'function' ? (value as () => T | Promise<T>)() : value)
  })
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false
}

/**
 * Creates a push client over the first supported transport of `options.transports`, and
 * starts connecting at once unless `lazy` is set.
 *
 * @example
 * const client = createPushClient({ url: '/stream', decode: 'json' })
 * const off = client.on('dish', (msg) => render(msg.data))
 * client.onStatus((s) => console.log(s.state, s.transport))
 */
export function createPushClient<E extends EventMap = EventMap>(options: PushClientOptions): PushClient<E> {
  const config = resolveOptions(options)
  const { retry } = config
  const listeners = createListenerRegistry<PushMessage>()
  const statusListeners = createListenerRegistry<PushStatus>()
  const delivered = createIdMemory(DEDUPE_WINDOW)
  const endIterators: Array<() => void> = []

  let status: PushStatus = { state: 'idle', transport: null, attempt: 0 }
  let lastEventId = config.lastEventId
  let serverRetryMs: number | undefined
  let env: TransportEnv | undefined
  let candidates: Transport[] = []
  let transportIndex = 0
  let current: Transport | undefined
  let connection: TransportConnection | undefined
  // Every open gets a new generation; callbacks of an older one are ignored.
  let generation = 0
  let failures = 0
  let failedOpens = 0
  let authRetried = false
  let opened = false
  let openedAt = 0
  let lastActivityAt = 0
  let watchdogArmed = false
  let connectTimer: Timer | undefined
  let retryTimer: Timer | undefined
  let watchdogTimer: Timer | undefined
  let waitingForOnline = false
  let paused = false
  let removePageHooks: (() => void) | undefined

  function setStatus(next: PushStatus): void {
    status = next
    statusListeners.emit(STATUS, next)
  }

  function currentName(): string | null {
    return current ? current.name : null
  }

  function dropConnection(): void {
    generation++
    clearTimeout(connectTimer)
    clearTimeout(watchdogTimer)
    connectTimer = watchdogTimer = undefined
    watchdogArmed = false
    opened = false
    const dropped = connection
    connection = undefined
    if (dropped) {
      try {
        dropped.close()
      } catch {
        // A custom transport that fails to close is already dead to the client.
      }
    }
  }

  function stopRetrying(): void {
    clearTimeout(retryTimer)
    retryTimer = undefined
    waitingForOnline = false
  }

  function finish(error?: PushError): void {
    dropConnection()
    stopRetrying()
    paused = false
    if (removePageHooks) removePageHooks()
    setStatus({ state: 'closed', transport: currentName(), attempt: failures, error })
    endIterators.slice().forEach((end) => end())
  }

  function checkWatchdog(): void {
    clearTimeout(watchdogTimer)
    watchdogTimer = undefined
    if (!watchdogArmed) return
    // Compared with the clock, not counted in ticks: background tabs throttle timers.
    const silentFor = Date.now() - lastActivityAt
    if (silentFor >= config.heartbeatTimeoutMs) {
      fail(generation, new PushError('heartbeat', `no data for ${silentFor} ms`))
    } else {
      watchdogTimer = setTimeout(checkWatchdog, config.heartbeatTimeoutMs - silentFor)
    }
  }

  function armWatchdog(): void {
    watchdogArmed = true
    checkWatchdog()
  }

  function scheduleRetry(delayMs: number, error: PushError): void {
    if (isOffline()) {
      // No point spinning while the browser knows it is offline; `online` restarts at once.
      waitingForOnline = true
      setStatus({ state: 'reconnecting', transport: currentName(), attempt: failures, error })
      return
    }
    setStatus({ state: 'reconnecting', transport: currentName(), attempt: failures, delayMs, error })
    retryTimer = setTimeout(startAttempt, delayMs)
  }

  function fail(failedGeneration: number, error: PushError): void {
    if (failedGeneration !== generation) return
    const wasOpen = opened
    dropConnection()
    if (error.code === 'closed-by-server') return finish(error)
    if (error.code === 'auth') {
      if (authRetried) return finish(error)
      authRetried = true
      return scheduleRetry(0, error)
    }
    if (wasOpen && Date.now() - openedAt >= retry.initialDelayMs * 10) failures = 0
    failures++
    if (!wasOpen && ++failedOpens >= config.fallbackAfter && candidates.length > 1) {
      transportIndex = (transportIndex + 1) % candidates.length
      failedOpens = 0
    }
    if (failures > retry.maxAttempts) return finish(error)
    const delayMs =
      error.retryAfterMs !== undefined
        ? error.retryAfterMs
        : computeDelay(failures, serverRetryMs !== undefined ? serverRetryMs : retry.initialDelayMs, retry, Math.random())
    scheduleRetry(delayMs, error)
  }

  function receive(event: TransportEvent, transport: Transport): void {
    const id = event.id
    if (event.type === HEARTBEAT) {
      if (id !== undefined) lastEventId = id
      if (!watchdogArmed) armWatchdog()
      return
    }
    if (id) {
      if (delivered.seenBefore(id)) return
      delivered.remember(id)
    }
    if (id !== undefined) lastEventId = id
    let data: unknown = event.data
    if (event.type === RESET) {
      // The server's ids may start over; old ones must not swallow new events.
      delivered.clear()
    } else {
      try {
        data = config.decode(event.data, event.type)
      } catch (cause) {
        const error = new PushError('protocol', `could not decode the data of a '${event.type}' event`, { cause })
        setStatus({ state: status.state, transport: status.transport, attempt: status.attempt, error })
        return
      }
    }
    // The time of the chunk that carried the event: one clock read per chunk, not per event.
    const message: PushMessage = { type: event.type, data, id, transport: transport.name, receivedAt: lastActivityAt }
    listeners.emit(event.type, message)
    listeners.emit(ANY, message)
  }

  function createSink(sinkGeneration: number, transport: Transport): TransportSink {
    return {
      open() {
        if (sinkGeneration !== generation || opened) return
        clearTimeout(connectTimer)
        connectTimer = undefined
        opened = true
        openedAt = lastActivityAt = Date.now()
        delivered.nextConnection()
        failedOpens = 0
        authRetried = false
        setStatus({ state: 'open', transport: transport.name, attempt: failures })
        // Native EventSource hides comments: only a server that sends heartbeat events can be timed.
        if (transport.seesComments !== false) armWatchdog()
      },
      activity() {
        if (sinkGeneration === generation) lastActivityAt = Date.now()
      },
      event(event) {
        if (sinkGeneration === generation) receive(event, transport)
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
    const transport = candidates[transportIndex]
    const transportEnv = env as TransportEnv
    current = transport
    setStatus({ state: 'connecting', transport: transport.name, attempt: failures })
    connectTimer = setTimeout(() => {
      fail(attemptGeneration, new PushError('network', `${transport.name} did not open within ${config.connectTimeoutMs} ms`))
    }, config.connectTimeoutMs)
    Promise.all([evaluate(config.headers), evaluate(config.query)]).then(
      ([headers, query]) => {
        if (attemptGeneration !== generation) return
        const sink = createSink(attemptGeneration, transport)
        let opening: TransportConnection
        try {
          opening = transport.open(
            {
              url: withQuery(config.url, query || {}),
              websocketUrl: withQuery(config.websocketUrl, query || {}),
              lastEventId: () => lastEventId,
              lastEventIdParam: config.lastEventIdParam,
              headers: headers || {},
              withCredentials: config.withCredentials,
              maxMessageBytes: config.maxMessageBytes,
              eventTypes: listeners.keys().filter((type) => type !== ANY),
              env: transportEnv,
            },
            sink,
          )
        } catch (cause) {
          return fail(attemptGeneration, new PushError('network', `${transport.name} could not open`, { cause }))
        }
        // The transport may have failed synchronously inside open().
        if (attemptGeneration === generation) connection = opening
        else opening.close()
      },
      (cause: unknown) => {
        fail(attemptGeneration, new PushError('network', 'headers or query could not be evaluated', { cause }))
      },
    )
  }

  function pause(): void {
    dropConnection()
    stopRetrying()
    paused = true
    setStatus({ state: 'idle', transport: currentName(), attempt: failures })
  }

  function installPageHooks(): void {
    const scope = globalScope()
    if (removePageHooks || !scope || typeof scope.addEventListener !== 'function') return
    const page = scope as unknown as Window
    const doc = typeof document !== 'undefined' ? document : undefined
    const onOnline = () => {
      if (waitingForOnline || retryTimer !== undefined) startAttempt()
      else checkWatchdog()
    }
    const onOffline = () => {
      if (retryTimer === undefined) return
      stopRetrying()
      waitingForOnline = true
    }
    const onVisibility = () => {
      if (!doc) return
      if (doc.visibilityState === 'hidden') {
        if (config.pauseWhenHidden && !paused) pause()
      } else if (paused) {
        paused = false
        startAttempt()
      } else {
        checkWatchdog()
      }
    }
    page.addEventListener('online', onOnline)
    page.addEventListener('offline', onOffline)
    if (doc) doc.addEventListener('visibilitychange', onVisibility)
    removePageHooks = () => {
      page.removeEventListener('online', onOnline)
      page.removeEventListener('offline', onOffline)
      if (doc) doc.removeEventListener('visibilitychange', onVisibility)
      removePageHooks = undefined
    }
  }

  function connect(): void {
    if ((status.state !== 'idle' && status.state !== 'closed') || paused) return
    env = resolveEnv(config.env)
    const context = { env, hasHeaders: config.headers !== undefined }
    candidates = config.transports.filter((transport) => transport.isSupported(context))
    transportIndex = failures = failedOpens = 0
    authRetried = false
    if (!candidates.length) {
      const names = config.transports.map((transport) => transport.name).join(', ')
      return finish(new PushError('network', `none of the transports [${names}] is supported here`))
    }
    installPageHooks()
    if (config.pauseWhenHidden && typeof document !== 'undefined' && document.visibilityState === 'hidden') {
      current = candidates[0]
      pause()
    } else {
      startAttempt()
    }
  }

  function send(data: string | object): Promise<void> {
    if (status.state === 'closed') return Promise.reject(new PushError('network', 'send() on a closed client'))
    const body = typeof data === 'string' ? data : JSON.stringify(data)
    if (connection && connection.send && connection.canSend && connection.canSend()) {
      try {
        connection.send(body)
        return Promise.resolve()
      } catch (cause) {
        return Promise.reject(new PushError('network', 'send() failed', { cause }))
      }
    }
    const sendEnv = env || resolveEnv(config.env)
    const contentType = typeof data === 'string' ? 'text/plain;charset=UTF-8' : 'application/json'
    return Promise.all([evaluate(config.headers), evaluate(config.query)]).then(([headers, query]) =>
      post(sendEnv, withQuery(config.url, query || {}), { body, contentType }, headers || {}, config.withCredentials),
    )
  }

  function iterate(): AsyncIterator<PushMessage> {
    const backlog: PushMessage[] = []
    let waiting: ((result: IteratorResult<PushMessage>) => void) | undefined
    let overflow: PushError | undefined
    let ended = false

    function end(): void {
      if (ended) return
      ended = true
      off()
      endIterators.splice(endIterators.indexOf(end), 1)
      if (waiting) waiting({ value: undefined, done: true })
      waiting = undefined
    }

    const off = listeners.add(ANY, (message) => {
      if (waiting) {
        const resolve = waiting
        waiting = undefined
        resolve({ value: message, done: false })
      } else if (backlog.length < MAX_ITERATOR_BACKLOG) {
        backlog.push(message)
      } else {
        overflow = new PushError('too-large', `the async iterator fell ${MAX_ITERATOR_BACKLOG} messages behind`)
        end()
      }
    })
    endIterators.push(end)

    return {
      next() {
        if (backlog.length) return Promise.resolve({ value: backlog.shift() as PushMessage, done: false })
        if (overflow) {
          const error = overflow
          overflow = undefined
          return Promise.reject(error)
        }
        if (ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => {
          waiting = resolve
        })
      },
      return() {
        backlog.length = 0
        end()
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }

  const client = {
    on(type: string, listener: (message: PushMessage) => void) {
      if (typeof listener !== 'function') throw new TypeError(`pushwire: on('${type}', listener) needs a function`)
      const isNewType = type !== ANY && !listeners.has(type)
      const off = listeners.add(type, listener)
      if (isNewType && connection && connection.listen) connection.listen(type)
      return off
    },
    onStatus(listener: (status: PushStatus) => void) {
      if (typeof listener !== 'function') throw new TypeError('pushwire: onStatus(listener) needs a function')
      return statusListeners.add(STATUS, listener)
    },
    get state() {
      return status.state
    },
    get transport() {
      return status.transport
    },
    get lastEventId() {
      return lastEventId
    },
    get status() {
      return status
    },
    connect,
    close() {
      if (status.state !== 'closed') finish()
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
