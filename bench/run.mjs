// Client CPU per event of pushwire's fetch-sse and websocket transports, each against its
// floor measured in the same run on the same loopback stream. Every measurement runs in a
// fresh process; the table shows medians.  Usage: npm run bench [-- --events N --runs R]
import { execFileSync, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(args[at + 1])
}
const events = option('events', 1_000_000)
const runs = option('runs', 5)
const here = (file) => fileURLToPath(new URL(file, import.meta.url))

const PAIRS = [
  ['fetch-sse', 'floor:fetch+eventsource-parser', 'pushwire:fetch-sse'],
  ['websocket', 'floor:ws+eventsource-parser', 'pushwire:websocket'],
]

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const source = fork(here('./stream-server.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const { port } = await new Promise((resolve) => source.once('message', resolve))

function measure(name) {
  const output = execFileSync(process.execPath, [here('./client-case.mjs'), name, String(port), String(events)], {
    encoding: 'utf8',
    timeout: 300_000,
  })
  return JSON.parse(output.trim().split('\n').pop()).cpuMicros
}

console.log(`client CPU per event, ${events.toLocaleString('en')} events of ~100 bytes, median of ${runs} fresh processes\n`)
console.log('| transport | floor µs/event | pushwire µs/event | ratio |')
console.log('| --- | --- | --- | --- |')
for (const [transport, floorCase, pushwireCase] of PAIRS) {
  const floor = []
  const ours = []
  // Interleaved, so that drift of the machine during the run hits both alike.
  for (let run = 0; run < runs; run++) {
    floor.push(measure(floorCase) / events)
    ours.push(measure(pushwireCase) / events)
  }
  const floorMedian = median(floor)
  const oursMedian = median(ours)
  console.log(`| ${transport} | ${floorMedian.toFixed(3)} | ${oursMedian.toFixed(3)} | ${(oursMedian / floorMedian).toFixed(2)}× |`)
}
source.kill()
