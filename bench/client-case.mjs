// One measurement in a fresh process: receive N events with one reader and print the CPU
// time this process spent, as JSON. Usage: node bench/client-case.mjs <case> <port> <n>
import { createParser } from 'eventsource-parser'
import WebSocket from 'ws'
// The ESM build, so that pushwire and the floor run the very same eventsource-parser build.
import { createPushClient } from '../dist/index.mjs'

const [name, port, countText] = process.argv.slice(2)
const total = Number(countText)
const sseUrl = `http://127.0.0.1:${port}/sse?n=${total}`
const wsUrl = `ws://127.0.0.1:${port}/ws?n=${total}`

/** The floor for fetch-sse: bare eventsource-parser reading the same fetch body. */
function parserOverFetch(done) {
  let received = 0
  const parser = createParser({
    onEvent() {
      if (++received === total) done()
    },
  })
  fetch(sseUrl).then(async (response) => {
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      const { value, done: ended } = await reader.read()
      if (ended) return
      parser.feed(decoder.decode(value, { stream: true }))
    }
  })
}

/** The floor for websocket: a raw `ws` client handing the same frames to eventsource-parser. */
function parserOverWs(done) {
  let received = 0
  const parser = createParser({
    onEvent() {
      if (++received === total) {
        socket.close()
        done()
      }
    },
  })
  const socket = new WebSocket(wsUrl)
  socket.onmessage = (event) => parser.feed(event.data)
}

function pushwire(transport) {
  return (done) => {
    let received = 0
    const client = createPushClient({ url: sseUrl, websocketUrl: wsUrl, transports: [transport], WebSocket, retry: false })
    client.on('dish', () => {
      if (++received === total) {
        client.close()
        done()
      }
    })
  }
}

const cases = {
  'floor:fetch+eventsource-parser': parserOverFetch,
  'pushwire:fetch-sse': pushwire('fetch-sse'),
  'floor:ws+eventsource-parser': parserOverWs,
  'pushwire:websocket': pushwire('websocket'),
}

const before = process.cpuUsage()
const started = performance.now()
cases[name](() => {
  const cpu = process.cpuUsage(before)
  const cpuMicros = cpu.user + cpu.system
  process.stdout.write(JSON.stringify({ name, total, cpuMicros, wallMs: performance.now() - started }) + '\n')
  process.exit(0)
})
