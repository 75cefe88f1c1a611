// What the fan-out benchmarks (fanout.mjs, cluster.mjs) share: options, loopback SSE clients,
// publishing in bursts, and waiting for every event to arrive.
import { get } from 'node:http'

/** Events are published in bursts this often: 1000/s is ten events per burst, written together. */
export const BURST_MS = 10
const CONNECT_BATCH = 100
const DRAIN_TIMEOUT_MS = 10_000

/** `--name value` from the command line, else `fallback`. */
export function option(name, fallback) {
  const args = process.argv.slice(2)
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}

/** A function that resolves with the next IPC message of `type` from `child`. */
export function messagesOf(child) {
  return (type) =>
    new Promise((resolve) =>
      child.on('message', function on(message) {
        if (message.type !== type) return
        child.off('message', on)
        resolve(message)
      }),
    )
}

/**
 * Calls `publish()` `rate` times a second, in bursts every BURST_MS, for `seconds` of wall
 * clock (a server that cannot keep up publishes fewer events, not for longer); resolves with
 * how many were stored.
 */
export function publishInBursts({ rate, seconds, publish }) {
  const perBurst = Math.max(1, Math.round((rate * BURST_MS) / 1000))
  const stopAt = performance.now() + seconds * 1000
  const stored = []
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perBurst; i++) stored.push(publish().then(() => 1, () => 0))
      if (performance.now() < stopAt) return
      clearInterval(timer)
      Promise.all(stored).then((each) => resolve(each.reduce((sum, one) => sum + one, 0)))
    }, BURST_MS)
  })
}

/** Opens `count` clients with `openOne(index)`, a hundred at a time. */
export async function connectClients(count, openOne) {
  const open = []
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, count - i)
    open.push(...(await Promise.all(Array.from({ length: batch }, (_, j) => openOne(i + j)))))
  }
  return open
}

/** Waits until the clients saw `expected` events in all (at most 10 s); returns how many they saw. */
export async function deliveredTo(clients, expected) {
  const deliveredSoFar = () => clients.reduce((sum, client) => sum + client.seen, 0)
  const deadline = performance.now() + DRAIN_TIMEOUT_MS
  let delivered = deliveredSoFar()
  while (delivered < expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    delivered = deliveredSoFar()
  }
  return delivered
}

function open(port, onChunk, encoding) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/stream', headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`))
      if (encoding) res.setEncoding(encoding)
      res.on('data', onChunk)
      resolve(() => req.destroy())
    })
    req.on('error', reject)
  })
}

const NEWLINE = 10

/** One SSE client that counts complete events (blank lines) in the raw bytes, without decoding them. */
export async function openClient(port) {
  let endedWithNewline = false
  let seen = -1 // the opening ":ok\n\n" is not an event
  const close = await open(port, (chunk) => {
    if (endedWithNewline && chunk[0] === NEWLINE) seen++
    for (let at = chunk.indexOf('\n\n'); at !== -1; at = chunk.indexOf('\n\n', at + 2)) seen++
    endedWithNewline = chunk[chunk.length - 1] === NEWLINE
  })
  return {
    close,
    get seen() {
      return Math.max(0, seen)
    },
  }
}

/**
 * One SSE client that also reads each event's `"t":<ms>` (the publisher's wall clock, as
 * `performance.timeOrigin + performance.now()`) and records publish→deliver latencies in ms.
 */
export async function openProbe(port) {
  const latencies = []
  let rest = ''
  let seen = 0
  const close = await open(
    port,
    (chunk) => {
      const now = performance.timeOrigin + performance.now()
      const text = rest + chunk
      const end = text.lastIndexOf('\n\n')
      if (end === -1) return void (rest = text)
      rest = text.slice(end + 2)
      const stamps = text.slice(0, end).match(/"t":(\d+(\.\d+)?)/g) || []
      stamps.forEach((stamp) => latencies.push(now - Number(stamp.slice(4))))
      seen += stamps.length
    },
    'latin1',
  )
  return {
    close,
    latencies,
    get seen() {
      return seen
    },
  }
}
