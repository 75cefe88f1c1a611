// Fan-out through Redis streams: 2 server processes sharing one local redis-server, 1 publisher
// (in the first process), 1,000 loopback SSE clients split across the two; side by side with
// the memory adapter on one process, in the same run. Prints, per adapter and rate: events/s
// delivered (summed over clients), CPU per delivered event of the Node servers and of
// redis-server, and publish→deliver latency p50/p99 (measured by probe clients that read the
// publisher's timestamp in every event).
//   npm run bench:cluster [-- --clients 1000 --rates 1000,5000 --seconds 3 --bytes 100 --probes 20]
import { execFileSync, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { exitForMissingRedis, findRedisServer, startRedis } from '../demo/redis-process.mjs'
import { BURST_MS, connectClients, deliveredTo, messagesOf, option, openClient, openProbe, publishInBursts } from './fanout-common.mjs'

/** Child process: one push server, driven over IPC; the first one also publishes. */
async function serve({ redisUrl, stream }) {
  const { createServer } = await import('node:http')
  const { createPushServer, memoryAdapter, redisStreamsAdapter } = await import('../dist/server.mjs')
  const adapter = redisUrl ? redisStreamsAdapter({ url: redisUrl, stream, maxLen: 10_000 }) : memoryAdapter({ bufferSize: 10_000 })
  // No heartbeats during the run: every blank line a client sees is then an event.
  const push = createPushServer({ adapter, heartbeatMs: 3_600_000 })
  const http = createServer(push.handler)
  await new Promise((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve))
  let cpuAtStart
  process.on('message', (message) => {
    if (message.type === 'mark') {
      cpuAtStart = process.cpuUsage()
      process.send({ type: 'marked' })
    } else if (message.type === 'publish') {
      const pad = 'x'.repeat(Math.max(0, message.bytes - 60))
      // The publisher's wall clock, in ms with a fraction, for the probes' latencies.
      const publish = () => push.publish({ event: 'dish', data: `{"dish":"kung pao chicken","t":${performance.timeOrigin + performance.now()},"pad":"${pad}"}` })
      publishInBursts({ rate: message.rate, seconds: message.seconds, publish }).then((count) => process.send({ type: 'published', count }))
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart)
      process.send({ type: 'stopped', cpuMicros: cpu.user + cpu.system, clients: push.clientCount })
      push.close().then(() => http.close(() => process.exit(0)))
    }
  })
  // The first client must not join before the adapter has started (with Redis, connected).
  await push.publish({ event: 'warm-up', data: '{}' })
  process.send({ type: 'ready', port: http.address().port })
}

function startServer(config) {
  const child = fork(fileURLToPath(import.meta.url), ['--server', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const next = messagesOf(child)
  return next('ready').then(({ port }) => ({ port, send: (message) => child.send(message), next }))
}

/** CPU time (user + system) of another process so far, in µs, from /proc. */
function processCpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) / clockTicks()) * 1e6
}

let ticks
function clockTicks() {
  if (!ticks) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100
    } catch {
      ticks = 100
    }
  }
  return ticks
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN)

async function run({ label, redis, processes, clients, probes, rate, seconds, bytes, stream }) {
  const servers = await Promise.all(Array.from({ length: processes }, () => startServer({ redisUrl: redis && redis.url, stream })))
  // Clients alternate between the processes; the first `probes` of them read latencies.
  const all = await connectClients(clients, (index) => (index < probes ? openProbe : openClient)(servers[index % servers.length].port))
  const probing = all.slice(0, probes)

  await Promise.all(servers.map((server) => (server.send({ type: 'mark' }), server.next('marked'))))
  const redisCpuAtStart = redis ? processCpuMicros(redis.pid) : 0
  const startedAt = performance.now()
  servers[0].send({ type: 'publish', rate, seconds, bytes })
  const { count } = await servers[0].next('published')
  const publishedS = (performance.now() - startedAt) / 1000
  const expected = count * clients
  const delivered = await deliveredTo(all, expected)
  const elapsedS = (performance.now() - startedAt) / 1000
  const redisCpu = redis ? processCpuMicros(redis.pid) - redisCpuAtStart : 0
  const stopped = await Promise.all(servers.map((server) => (server.send({ type: 'stop' }), server.next('stopped'))))
  all.forEach((client) => client.close())
  const latencies = probing.flatMap((probe) => probe.latencies).sort((a, b) => a - b)
  return {
    label,
    rate,
    count,
    publishedS,
    expected,
    delivered,
    elapsedS,
    nodeCpu: stopped.reduce((sum, each) => sum + each.cpuMicros, 0),
    redisCpu,
    clientsLeft: stopped.reduce((sum, each) => sum + each.clients, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  }
}

async function main() {
  const binary = findRedisServer()
  if (!binary) exitForMissingRedis('npm run bench:cluster')
  const clients = Number(option('clients', 1000))
  const seconds = Number(option('seconds', 3))
  const bytes = Number(option('bytes', 100))
  const probes = Number(option('probes', 20))
  const rates = String(option('rates', '1000,5000')).split(',').map(Number)
  const fmt = (n) => Math.round(n).toLocaleString('en')
  const redis = await startRedis(binary)
  console.log(
    `fan-out: 1 publisher, ${clients} SSE clients on loopback (${probes} of them read latencies), events of ~${bytes} bytes, ` +
      `bursts every ${BURST_MS} ms for ${seconds} s\n`,
  )
  console.log(
    '| adapter | asked events/s | published/s | delivered | events/s delivered | Node CPU µs / delivered event | redis-server CPU µs / delivered event | latency p50 | latency p99 |',
  )
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  let runNumber = 0
  try {
    for (const rate of rates) {
      // Interleaved by rate, so that drift of the machine hits both adapters alike.
      for (const [label, processes, withRedis] of [
        ['memory, 1 process', 1, false],
        ['Redis streams, 2 processes', 2, true],
      ]) {
        const r = await run({ label, redis: withRedis ? redis : undefined, processes, clients, probes, rate, seconds, bytes, stream: `bench-${++runNumber}` })
        const perEvent = (micros) => (micros / Math.max(1, r.delivered)).toFixed(3)
        console.log(
          `| ${label} | ${fmt(rate)} | ${fmt(r.count / r.publishedS)} | ${fmt(r.delivered)} / ${fmt(r.expected)} | ${fmt(r.delivered / r.elapsedS)} | ` +
            `${perEvent(r.nodeCpu)} | ${withRedis ? perEvent(r.redisCpu) : '–'} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`,
        )
        if (r.delivered < r.expected || r.clientsLeft < clients) process.exitCode = 1
      }
    }
  } finally {
    await redis.stop()
  }
}

if (process.argv[2] === '--server') await serve(JSON.parse(process.argv[3]))
else await main()
