// Loopback source for the client benchmark, run in its own process so that its CPU is not
// counted against the clients. Every response carries the same pre-encoded events.
//   GET /sse?n=N  → N events as one text/event-stream body
//   WS  /ws?n=N   → the same events, ten complete events per text frame (see events.mjs)
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { encodeFrames } from './events.mjs'

const CHUNK_BYTES = 64 * 1024
const cache = new Map()

function encodeEvents(count) {
  if (cache.has(count)) return cache.get(count)
  const frames = encodeFrames(count)
  const encoded = { frames, body: Buffer.from(':ok\n\n' + frames.join('')) }
  cache.set(count, encoded)
  return encoded
}

function countOf(url) {
  return Number(new URL(url, 'http://127.0.0.1').searchParams.get('n')) || 1000
}

const server = createServer((req, res) => {
  const { body } = encodeEvents(countOf(req.url))
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  let offset = 0
  const pump = () => {
    while (offset < body.length) {
      const end = Math.min(offset + CHUNK_BYTES, body.length)
      const more = res.write(body.subarray(offset, end))
      offset = end
      if (!more) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
})

const wss = new WebSocketServer({ server, path: '/ws' })
wss.on('connection', (socket, req) => {
  const { frames } = encodeEvents(countOf(req.url))
  let index = 0
  socket.send(':ok\n\n')
  const pump = () => {
    while (index < frames.length) {
      socket.send(frames[index++])
      if (socket.bufferedAmount > 4 * CHUNK_BYTES) return void setImmediate(pump)
    }
  }
  pump()
})

// Encoded before the first client comes: otherwise the first measurement also waits for it.
if (process.argv[2]) encodeEvents(Number(process.argv[2]))
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('disconnect', () => process.exit(0))
