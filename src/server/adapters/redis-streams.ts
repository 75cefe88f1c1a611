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

function isClient(value: unknown): value is RedisClientLike {
  if (value === null || typeof value !== 'object') return false
  const client = value as Record<string, unknown>
  return ['duplicate', 'sendCommand', 'connect', 'on'].every((method) => typeof client[method] === 'function')
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
    maxLen: positiveInteger('maxLen', options.maxLen, 1000),
    commandTimeoutMs: positiveInteger('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS, MAX_TIMER_MS),
  }
}

const NO_HISTORY = 'the history cannot be read'

function notConnected(consequence: string): Error {
  return new Error(`pushwire/server: Redis is not connected; ${consequence}`)
}

/** Waits for the first connection, at most {@link FIRST_CONNECT_WAIT_MS}. */
function withinFirstConnect(connected: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS)))
  return Promise.race([connected, waited]).then(() => clearTimeout(timer))
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
  let connection: RedisClientLike | undefined
  let readerConnection: RedisClientLike | undefined
  let reader: StreamReader | undefined
  let head: string | undefined
  let headKnown: (() => void) | undefined
  const started = new Promise<void>((resolve) => (headKnown = resolve))
  let closed = false
  let history: ReturnType<typeof createHistoryReader> | undefined
  let connectedOnce: Promise<void> | undefined
  // Commands on the storing connection that outlived commandTimeoutMs and are still unanswered.
  let unanswered = 0

  /**
   * The storing connection once it can take commands. Before it was ever up, a command waits
   * for the first connection (a little); afterwards an unreachable Redis fails it at once, and
   * so does one that has left a command unanswered past commandTimeoutMs: more commands would
   * only queue behind it, in node-redis and in the socket, for as long as Redis stays silent.
   */
  function usable(consequence: string): Promise<RedisClientLike> {
    const store = connection
    if (!store || !connectedOnce) return Promise.reject(notConnected(consequence))
    if (unanswered > 0) {
      return Promise.reject(new Error(`pushwire/server: Redis has not answered for over ${commandTimeoutMs} ms (commandTimeoutMs); ${consequence}`))
    }
    const check = () => (store.isReady ? store : Promise.reject(notConnected(consequence)))
    return store.isReady ? Promise.resolve(store) : withinFirstConnect(connectedOnce).then(check)
  }

  /**
   * `command`, or a rejection once it has waited commandTimeoutMs. node-redis times out only
   * commands it has not written yet: one written to a Redis that accepts connections and never
   * answers (stopped, stuck, or behind a network that drops everything) would wait for good.
   * It stays unanswered (see {@link usable}) until Redis answers or the connection drops.
   */
  function bounded<T>(command: Promise<T>, consequence: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let late = false
      const timer = setTimeout(() => {
        late = true
        unanswered++
        reject(new Error(`pushwire/server: Redis did not answer within ${commandTimeoutMs} ms (commandTimeoutMs); ${consequence}`))
      }, commandTimeoutMs)
      const settle = () => {
        clearTimeout(timer)
        if (late) unanswered--
      }
      command.then(
        (reply) => {
          settle()
          resolve(reply)
        },
        (error: unknown) => {
          settle()
          reject(error)
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
      connection = client || (createClient as NonNullable<typeof createClient>)({ url, disableOfflineQueue: true })
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
      if (!client) {
        const storeHealth = report('publishing')
        connection.on('error', storeHealth)
        connection.on('ready', () => storeHealth(undefined))
      }
      const store = connection
      connectedOnce = store.isReady ? Promise.resolve() : new Promise((resolve) => store.on('ready', resolve))
      if (!store.isOpen) store.connect().catch(() => {})
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
        send: (args) => usable(NO_HISTORY).then((ready) => bounded(ready.sendCommand(args), NO_HISTORY)),
        stream,
        sizes,
        pageChars: settings.pageChars,
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
      return usable('the event was not stored').then((store) =>
        bounded(
          store.sendCommand(args).then(String, (error: unknown) => {
            throw new Error(`pushwire/server: the event was not stored in Redis (${describe(error)})`, { cause: error })
          }),
          // Written, and not answered: Redis may store it yet, if it is only slow.
          'the event may or may not be stored',
        ),
      )
    },
    history(afterId, until) {
      if (!history) return Promise.reject(notConnected(NO_HISTORY))
      return history(afterId, until)
    },
    async close() {
      if (closed) return
      closed = true
      if (reader) reader.close()
      // The blocked XREAD would hold a graceful close for up to its block time.
      if (readerConnection) readerConnection.destroy()
      if (!connection || client || !connection.isOpen) return
      const own = connection
      let grace: ReturnType<typeof setTimeout> | undefined
      // A graceful close waits for every reply: a Redis that has stopped answering would hold it for good.
      if (unanswered === 0) await Promise.race([own.close(), new Promise((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))])
      clearTimeout(grace)
      // Still draining after the grace (isOpen is false from the start of a close): drop the rest.
      try {
        own.destroy()
      } catch {
        // node-redis 5 throws once close() has begun; there the close ends with the last reply.
      }
    },
  }
  return adapter
}
