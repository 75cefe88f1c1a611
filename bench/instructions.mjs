// Instructions per event on the client's hot path, counted by valgrind (callgrind) under
// `node --predictable`, which makes the count repeatable to the instruction: the shared VM's
// CPU time moves by ±15% from run to run, this does not. The frames are fed to the client in
// one process (a fake WebSocket, a fetch body in 64 KiB chunks), so nothing else is counted.
// The figure is the steady state: the count of six passes over the events minus that of two,
// so that compiling and the collector's first rounds fall in the part taken away.
//   node bench/instructions.mjs [--events N]           runs valgrind, prints the table
//   node --predictable bench/instructions.mjs <case> <passes> <events>   one counted run
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createParser } from 'eventsource-parser'
import { createPushClient } from '../dist/index.mjs'
import { encodeFrames } from './events.mjs'

const CHUNK_BYTES = 64 * 1024

/** Pass `pass` gets ids of its own, so that dedupe drops nothing. */
const framesOfPass = (frames, pass, count) =>
  pass === 0 ? frames : frames.map((frame) => frame.replace(/^id: (\d+)$/gm, (_, id) => `id: ${Number(id) + pass * count}`))

/** A WebSocket that delivers `passes` rounds of frames, 64 frames per task as `ws` does. */
function fakeWebSocket(round, passes) {
  return class FakeWebSocket {
    constructor() {
      this.readyState = 0
      setTimeout(() => {
        this.readyState = 1
        this.onopen?.({})
        this.onmessage({ data: ':ok\n\n' })
        let pass = 0
        let frames = round(0)
        let at = 0
        const pump = () => {
          for (let sent = 0; sent < 64; sent++) {
            if (at === frames.length) {
              if (++pass === passes) return
              // Made when needed: rounds held at once would make the collector's work grow with them.
              frames = round(pass)
              at = 0
            }
            this.onmessage({ data: frames[at++] })
          }
          setImmediate(pump)
        }
        pump()
      })
    }
    close() {
      this.readyState = 3
    }
    send() {}
  }
}

/** A fetch whose body is the rounds of frames in 64 KiB chunks. */
function fakeFetch(round, passes) {
  return () => {
    const encoder = new TextEncoder()
    let pass = 0
    let body = encoder.encode(':ok\n\n' + round(0).join(''))
    let at = 0
    const read = () => {
      if (at === body.length) {
        if (++pass === passes) return Promise.resolve({ done: true })
        body = encoder.encode(round(pass).join(''))
        at = 0
      }
      const end = Math.min(at + CHUNK_BYTES, body.length)
      const value = body.subarray(at, end)
      at = end
      return Promise.resolve({ done: false, value })
    }
    const reader = { read, cancel: () => Promise.resolve() }
    return Promise.resolve({
      status: 200,
      headers: { get: (name) => (name.toLowerCase() === 'content-type' ? 'text/event-stream' : null) },
      body: { getReader: () => reader, cancel: () => Promise.resolve() },
    })
  }
}

function runCase(name, passes, count) {
  const frames = encodeFrames(count)
  const round = (pass) => framesOfPass(frames, pass, count)
  const total = passes * count
  let received = 0
  return new Promise((resolve) => {
    if (name.startsWith('floor:')) {
      const parser = createParser({
        onEvent() {
          if (++received === total) resolve()
        },
      })
      if (name === 'floor:websocket') {
        const socket = new (fakeWebSocket(round, passes))()
        socket.onmessage = (message) => parser.feed(message.data)
      } else {
        fakeFetch(round, passes)().then(async (response) => {
          const reader = response.body.getReader()
          const decoder = new TextDecoder()
          for (;;) {
            const { value, done } = await reader.read()
            if (done) return
            parser.feed(decoder.decode(value, { stream: true }))
          }
        })
      }
      return
    }
    const transport = name.slice('pushwire:'.length)
    const client = createPushClient({
      url: 'http://127.0.0.1/stream',
      transports: [transport],
      retry: false,
      WebSocket: fakeWebSocket(round, passes),
      fetch: fakeFetch(round, passes),
    })
    client.on('dish', () => {
      if (++received === total) {
        client.close()
        resolve()
      }
    })
  })
}

const CASES = ['floor:fetch-sse', 'pushwire:fetch-sse', 'floor:websocket', 'pushwire:websocket']

function countInstructions(name, passes, events) {
  const out = join(tmpdir(), `pushwire-callgrind-${process.pid}-${name.replace(':', '-')}-${passes}`)
  execFileSync(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--predictable', fileURLToPath(import.meta.url), name, String(passes), String(events)],
    { stdio: 'ignore' },
  )
  const summary = readFileSync(out, 'utf8').match(/^summary: (\d+)/m)
  rmSync(out)
  return Number(summary[1])
}

const [name, passes, events] = process.argv.slice(2)
if (CASES.includes(name)) {
  await runCase(name, Number(passes), Number(events))
  process.exit(0)
} else {
  const at = process.argv.indexOf('--events')
  const count = at === -1 ? 20000 : Number(process.argv[at + 1])
  console.log(`instructions per event, steady state (6 passes minus 2) of ${count.toLocaleString('en')} events\n`)
  console.log('| case | instructions/event |')
  console.log('| --- | --- |')
  for (const each of CASES) {
    const perEvent = (countInstructions(each, 6, count) - countInstructions(each, 2, count)) / (4 * count)
    console.log(`| ${each} | ${Math.round(perEvent)} |`)
  }
}
