import { MAX_TIMER_MS } from '../../constants'
import { positiveInteger } from '../options'
import type { PushAdapter, RedisClientLike, RedisStreamsAdapterOptions } from '../types'
import { claimOnce, closedError, type Adapter } from './adapter'
import { loadRedis } from './load-redis'
import { createEventSizes } from './redis-entries'
import { createHistoryReader } from './redis-history'
import { isEntryId, STREAM_START } from './redis-ids'
import { BLOCK_MS, startStreamReader, type StreamReader } from './redis-reader'

// How long close() lets pending commands finish before it drops the connection.
const CLOSE_GRACE_MS = 1000
// A publish made before the first connection was up waits this long for it; afterwards an
// unreachable Redis fails publishes at once.
const FIRST_CONNECT_WAIT_MS = 5000
const DEFAULT_COMMAND_TIMEOUT_MS = 5000

// Everything RedisClientLike names: the adapter calls close() and destroy() on the client's duplicate, of the same make.
const CLIENT_METHODS = ['duplicate', 'sendCommand', 'connect', 'on', 'close', 'destroy']

function isClient(value: unknown): value is RedisClientLike {
  if (value === null || typeof value !== 'object') return false
  const client = value as Record<string, unknown>
  return (
    CLIENT_METHODS.every((method) => typeof client[method] === 'function') &&
    typeof client.isOpen === 'boolean' &&
    typeof client.isReady === 'boolean'
  )
}

function resolveOptions(options: RedisStreamsAdapterOptions) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('pushwire/server: redisStreamsAdapter() options must be an object `{ url?, client?, stream?, maxLen?, commandTimeoutMs? }`')
  }
  const { url, client, stream = 'pushwire' } = options
  if (url !== undefined && client !== undefined) {
    throw new TypeError('pushwire/server: redisStreamsAdapter() takes `url` or `client`, not both')
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    throw new TypeError(`pushwire/server: redisStreamsAdapter() option \`url\` must be a redis:// or rediss:// URL, got ${String(url)}`)
  }
  if (client !== undefined && !isClient(client)) {
    throw new TypeError('pushwire/server: redisStreamsAdapter() option `client` must be a node-redis client (createClient() from the `redis` package)')
  }
  if (typeof stream !== 'string' || stream === '') {
    throw new TypeError('pushwire/server: redisStreamsAdapter() option `stream` must be a non-empty string (the key of the stream)')
  }
  return {
    url,
    client,
    stream,
    maxLen: positiveInteger('redisStreamsAdapter()', 'maxLen', options.maxLen, 1000),
    commandTimeoutMs: positiveInteger('redisStreamsAdapter()', 'commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, MAX_TIMER_MS),
  }
}

const NO_HISTORY = 'the history cannot be read'

/** The connection that stores events and reads history. */
interface Store {
  connection: RedisClientLike
  /** Commands that outlived commandTimeoutMs and are still unanswered. */
  unanswered: number
  /** Made anew after the one before left a command unanswered: not usable until Redis answered it. */
  afterSilence: boolean
  /** Dropped for leaving a command unanswered: what it still had pending may have been stored. */
  dropped: boolean
}

function notConnected(consequence: string): Error {
  return new Error(`pushwire/server: Redis is not connected; ${consequence}`)
}

/** Waits for the first connection, at most {@link FIRST_CONNECT_WAIT_MS}, and no longer than until `closing` settles. */
function withinFirstConnect(connected: Promise<void>, closing: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS)))
  return Promise.race([connected, waited, closing]).then(() => clearTimeout(timer))
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error)
}

/**
 * Keeps events in one Redis stream shared by every server process: each process appends with
 * `XADD … MAXLEN ~ maxLen`, reads the stream on a blocking connection of its own and fans out
 * to its own clients. Event ids are the stream's entry ids, so a client resumes on any process.
 * Needs the optional peer dependency `redis` (node-redis), loaded here when `client` is not given.
 */
export function redisStreamsAdapter(options: RedisStreamsAdapterOptions = {}): PushAdapter {
  const { url, client, stream, maxLen, commandTimeoutMs } = resolveOptions(options)
  const createClient = client ? undefined : loadRedis().createClient
  const claim = claimOnce('Redis streams')
  const sizes = createEventSizes()
  /** The connection that stores events and reads history, and what it has left unanswered. */
  let store: Store | undefined
  let readerConnection: RedisClientLike | undefined
  let reader: StreamReader | undefined
  let head: string | undefined
  let headKnown: (() => void) | undefined
  const started = new Promise<void>((resolve) => (headKnown = resolve))
  let closed = false
  let announceClose: (() => void) | undefined
  const closing = new Promise<void>((resolve) => (announceClose = resolve))
  let history: ReturnType<typeof createHistoryReader> | undefined
  let connectedOnce: Promise<void> | undefined
  const storeHealth = report('publishing')

  const silent = (consequence: string) => new Error(`pushwire/server: Redis has not answered for over ${commandTimeoutMs} ms (commandTimeoutMs); ${consequence}`)

  /** A storing connection of the adapter's own, connecting. */
  function openStore(afterSilence: boolean): Store {
    const connection = (createClient as NonNullable<typeof createClient>)({ url, disableOfflineQueue: true })
    connection.on('error', storeHealth)
    connection.on('ready', () => storeHealth(undefined))
    dropIfReadyAfterClose(connection)
    connection.connect().catch(() => {})
    return { connection, unanswered: 0, afterSilence, dropped: false }
  }

  /**
   * node-redis lets a connection that was connecting when it was destroyed become ready
   * afterwards, with a socket nobody closes (it would keep the process from exiting).
   */
  function dropIfReadyAfterClose(connection: RedisClientLike): void {
    connection.on('ready', () => {
      if (closed) connection.destroy()
    })
  }

  /**
   * A connection that leaves a command unanswered past commandTimeoutMs is dead as far as
   * anyone can tell: behind a half-open TCP connection, nothing sent on it would ever be
   * answered, and the kernel notices only after many minutes (never behind a proxy that keeps
   * its side open). One of the adapter's own is dropped and made anew; a given client is not
   * the adapter's to drop (its socketTimeout is what ends such a connection, see the docs).
   */
  function dropSilent(silentStore: Store): void {
    if (client || closed || store !== silentStore) return
    silentStore.dropped = true
    storeHealth(new Error(`no answer within ${commandTimeoutMs} ms (commandTimeoutMs)`))
    silentStore.connection.destroy()
    store = openStore(true)
  }

  /**
   * The storing connection once it can take commands. Before it was ever up, a command waits
   * for the first connection (a little); afterwards an unreachable Redis fails it at once, and
   * so does one that has left a command unanswered past commandTimeoutMs (or whose connection
   * was made anew after that and has not been answered yet): more commands would only queue
   * behind it, in node-redis and in the socket, for as long as Redis stays silent.
   */
  function usable(consequence: string): Promise<Store> {
    const current = store
    if (!current || !connectedOnce) return Promise.reject(notConnected(consequence))
    const { connection } = current
    if (current.unanswered > 0 || (current.afterSilence && !connection.isReady)) return Promise.reject(silent(consequence))
    const check = () => {
      if (closed) return Promise.reject(new Error(`pushwire/server: close() was called before Redis was reached; ${consequence}`))
      return connection.isReady ? current : Promise.reject(notConnected(consequence))
    }
    return connection.isReady ? Promise.resolve(current) : withinFirstConnect(connectedOnce, closing).then(check)
  }

  /**
   * `args` sent on `target`, or a rejection once it has waited commandTimeoutMs. node-redis
   * times out only commands it has not written yet: one written to a Redis that accepts
   * connections and never answers (stopped, stuck, or behind a network that drops everything)
   * would wait for good. It stays unanswered (see {@link usable}) until Redis answers or the
   * connection drops, which the adapter does at once to a connection of its own.
   */
  function bounded(target: Store, args: string[], consequence: string, failed: (error: unknown) => unknown = (error) => error): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let late = false
      const timer = setTimeout(() => {
        late = true
        target.unanswered++
        reject(new Error(`pushwire/server: Redis did not answer within ${commandTimeoutMs} ms (commandTimeoutMs); ${consequence}`))
        dropSilent(target)
      }, commandTimeoutMs)
      const settle = () => {
        clearTimeout(timer)
        if (late) target.unanswered--
      }
      target.connection.sendCommand(args).then(
        (reply) => {
          settle()
          resolve(reply)
        },
        (error: unknown) => {
          settle()
          // Dropped with the silent connection: written, maybe stored, never answered.
          if (target.dropped) reject(new Error(`pushwire/server: Redis left another command unanswered and the connection was made anew; ${consequence}`))
          else reject(failed(error))
        },
      )
    })
  }

  function report(what: string) {
    let down = false
    return (error: unknown) => {
      if (error === undefined) {
        if (down) console.error(`pushwire/server: ${what} reaches Redis again`)
        down = false
      } else if (!down && !closed) {
        down = true
        console.error(`pushwire/server: ${what} lost Redis (${describe(error)}); retrying with backoff`)
      }
    }
  }

  const adapter: Adapter = {
    name: 'redis-streams',
    start(settings) {
      claim()
      store = client ? { connection: client, unanswered: 0, afterSilence: false, dropped: false } : openStore(false)
      const { connection } = store
      // A blocking XREAD holds its connection: the reader never shares the one that stores.
      readerConnection = connection.duplicate({
        disableOfflineQueue: true,
        socket: {
          ...(connection.options && connection.options.socket),
          // Redis answers a blocked XREAD within BLOCK_MS: a reader connection silent for longer
          // is dead (a half-open TCP connection, say, which keepalive finds only minutes later),
          // and this process's clients would hear nothing meanwhile. node-redis then drops it…
          socketTimeout: BLOCK_MS + commandTimeoutMs,
          // …and reconnects, which by default it does not after a socket timeout.
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
        },
      })
      const readerHealth = report('the stream reader')
      // node-redis emits 'error' on every failed reconnect; unheard, that would end the process.
      readerConnection.on('error', readerHealth)
      dropIfReadyAfterClose(readerConnection)
      connectedOnce = connection.isReady ? Promise.resolve() : new Promise((resolve) => connection.on('ready', resolve))
      if (!connection.isOpen) connection.connect().catch(() => {})
      const own = readerConnection
      own.connect().then(
        () => {
          if (closed) return
          reader = startStreamReader({
            connection: own,
            stream,
            sink: settings.sink,
            sizes,
            onStart(id) {
              head = id
              if (headKnown) headKnown()
            },
            onHealth: readerHealth,
          })
        },
        () => {},
      )
      history = createHistoryReader({
        send: (args) => usable(NO_HISTORY).then((ready) => bounded(ready, args, NO_HISTORY)),
        stream,
        sizes,
        pageBytes: settings.pageBytes,
        initialHead: () => started.then(() => head as string),
      })
    },
    initialHeadId: () => head,
    whenStarted: () => started,
    append(event) {
      if (closed) return Promise.reject(closedError())
      if (event.id !== undefined && (!isEntryId(event.id) || event.id === STREAM_START)) {
        return Promise.reject(
          new TypeError(
            `pushwire/server: with redisStreamsAdapter, publish() \`id\` must be a stream entry id such as '1700000000000-0', greater than the newest in the stream; got '${event.id}'. Leave it out and Redis assigns one.`,
          ),
        )
      }
      const args = ['XADD', stream, 'MAXLEN', '~', String(maxLen), event.id === undefined ? '*' : event.id]
      if (event.event !== undefined) args.push('event', event.event)
      args.push('data', event.data)
      return usable('the event was not stored').then((ready) =>
        bounded(
          ready,
          args,
          // Written, and not answered: Redis may store it yet, if it is only slow.
          'the event may or may not be stored',
          (error) => new Error(`pushwire/server: the event was not stored in Redis (${describe(error)})`, { cause: error }),
        ).then(String),
      )
    },
    history(afterId, until) {
      if (!history) return Promise.reject(notConnected(NO_HISTORY))
      return history(afterId, until)
    },
    async close() {
      if (closed) return
      closed = true
      // Commands waiting for the first connection fail now, not when the wait for it is over.
      if (announceClose) announceClose()
      if (reader) reader.close()
      // The blocked XREAD would hold a graceful close for up to its block time.
      if (readerConnection) readerConnection.destroy()
      if (!store || client || !store.connection.isOpen) return
      const own = store.connection
      let grace: ReturnType<typeof setTimeout> | undefined
      // A graceful close waits for every reply: a Redis that has stopped answering would hold it for good.
      if (store.unanswered === 0) await Promise.race([own.close(), new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))])
      clearTimeout(grace)
      // Still draining after the grace (isOpen is false from the start of a close): drop the rest.
      try {
        own.destroy()
      } catch {
        // node-redis 5 throws here once close() has begun (6.3 drops the draining socket); with 5 the close ends with the last reply.
      }
    },
  }
  return adapter
}
