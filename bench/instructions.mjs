// Instructions per event on the client's hot path, counted by valgrind (callgrind) under
// `node --predictable`, which makes the count repeatable to the instruction: the shared VM's
// CPU time moves by ±15% from run to run, this does not. The frames are fed to the client in
// one process (a fake WebSocket, a fetch body in 64 KiB chunks), so nothing else is counted.
// The figure is the steady state: the count of four passes over the events minus that of two.
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
function fakeWebSocket(rounds) {
  return class FakeWebSocket {
    constructor() {
      this.readyState = 0
      setTimeout(() => {
        this.readyState = 1
        this.onopen?.({})
        const frames = [':ok\n\n'].concat(...rounds)
        let at = 0
        const pump = () => {
          for (const end = Math.min(at + 64, frames.length); at < end; ) this.onmessage({ data: frames[at++] })
          if (at < frames.length) setImmediate(pump)
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
function fakeFetch(rounds) {
  return () => {
    const body = new TextEncoder().encode(':ok\n\n' + rounds.map((frames) => frames.join('')).join(''))
    let at = 0
    const reader = {
      read: () =>
        Promise.resolve(at < body.length ? { done: false, value: body.subarray(at, (at += CHUNK_BYTES)) } : { done: true }),
      cancel: () => Promise.resolve(),
    }
    return Promise.resolve({
      status: 200,
      headers: { get: (name) => (name.toLowerCase() === 'content-type' ? 'text/event-stream' : null) },
      body: { getReader: () => reader, cancel: () => Promise.resolve() },
    })
  }
}

function runCase(name, passes, count) {
  const frames = encodeFrames(count)
  const rounds = Array.from({ length: passes }, (_, pass) => framesOfPass(frames, pass, count))
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
        const socket = new (fakeWebSocket(rounds))()
        socket.onmessage = (message) => parser.feed(message.data)
      } else {
        fakeFetch(rounds)().then(async (response) => {
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
      WebSocket: fakeWebSocket(rounds),
      fetch: fakeFetch(rounds),
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
  console.log(`instructions per event, steady state (4 passes minus 2) of ${count.toLocaleString('en')} events\n`)
  console.log('| case | instructions/event |')
  console.log('| --- | --- |')
  for (const each of CASES) {
    const perEvent = (countInstructions(each, 4, count) - countInstructions(each, 2, count)) / (2 * count)
    console.log(`| ${each} | ${Math.round(perEvent)} |`)
  }
}
