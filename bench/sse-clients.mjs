// Loopback SSE clients for the fan-out benchmarks.
import { get } from 'node:http'

function open(port, onChunk) {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/stream', headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`))
      res.setEncoding('latin1')
      res.on('data', onChunk)
      resolve(() => req.destroy())
    })
    req.on('error', reject)
  })
}

/** One SSE client that counts complete events (blank lines) without parsing them. */
export async function openClient(port) {
  let previous = ''
  let seen = -1 // the opening ":ok\n\n" is not an event
  const close = await open(port, (chunk) => {
    const text = previous + chunk
    for (let at = text.indexOf('\n\n'); at !== -1; at = text.indexOf('\n\n', at + 2)) seen++
    previous = chunk.charAt(chunk.length - 1)
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
  const close = await open(port, (chunk) => {
    const now = performance.timeOrigin + performance.now()
    const text = rest + chunk
    const end = text.lastIndexOf('\n\n')
    if (end === -1) return void (rest = text)
    rest = text.slice(end + 2)
    const stamps = text.slice(0, end).match(/"t":(\d+(\.\d+)?)/g) || []
    stamps.forEach((stamp) => latencies.push(now - Number(stamp.slice(4))))
    seen += stamps.length
  })
  return {
    close,
    latencies,
    get seen() {
      return seen
    },
  }
}
