// Client CPU per event of pushwire's fetch-sse and websocket transports, each against its
// floor measured in the same run on the same loopback stream. Every measurement runs in a
// fresh process; the table shows medians and the spread.  Usage: npm run bench [-- --events N --runs R]
import { execFileSync, fork } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(args[at + 1])
}
const events = option('events', 1_000_000)
const runs = option('runs', 15)
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
/** Smallest and largest of the runs: how far one process's figure can stray. */
const spread = (values) => `(${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`

// The source on one core and the client on another, where Linux lets us say so: a process
// moved between cores mid-run, or sharing one with the source, measures the scheduler.
const pinned = process.platform === 'linux' && availableParallelism() > 1 && hasTaskset()
const onCore = (core, command, args) => (pinned ? ['taskset', ['-c', String(core), command, ...args]] : [command, args])

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'])
    return true
  } catch {
    return false
  }
}

// fork() runs `execPath ...execArgv module args`, so taskset can go in front of node.
const [sourceCommand, sourceArgs] = onCore(0, process.execPath, [])
const source = fork(here('./stream-server.mjs'), [String(events)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execPath: sourceCommand,
  execArgv: sourceArgs,
})
const { port } = await new Promise((resolve) => source.once('message', resolve))

function measure(name) {
  const [command, args] = onCore(1, process.execPath, [here('./client-case.mjs'), name, String(port), String(events)])
  const output = execFileSync(command, args, { encoding: 'utf8', timeout: 300_000 })
  return JSON.parse(output.trim().split('\n').pop()).cpuMicros
}

console.log(
  `client CPU per event, ${events.toLocaleString('en')} events of ~100 bytes, median (min–max) of ${runs} fresh processes` +
    (pinned ? ', source and client pinned to cores 0 and 1\n' : '\n'),
)
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
  const ratio = (oursMedian / floorMedian).toFixed(2)
  console.log(`| ${transport} | ${floorMedian.toFixed(3)} ${spread(floor)} | ${oursMedian.toFixed(3)} ${spread(ours)} | ${ratio}× |`)
}
source.kill()
