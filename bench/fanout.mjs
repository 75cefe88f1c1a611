// Fan-out benchmark of pushwire/server: 1 publisher, many loopback SSE clients.
// The server runs in a child process, so its CPU (process.cpuUsage) is measured apart from the
// clients'. Prints events/s delivered (summed over clients) and server CPU µs per delivered event.
//   npm run build && node bench/fanout.mjs [--clients 1000] [--rates 100,1000] [--seconds 3] [--bytes 100]
// Each rate is a run: events published per second, in bursts every 10 ms (so 100/s publishes one
// event per burst and shows the cost without batching; 1000/s publishes ten, written together).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { BURST_MS, connectClients, deliveredTo, messagesOf, option, openClient, publishInBursts } from './fanout-common.mjs'

if (process.argv[2] === '--server') await serve()
else await main()

/** Child process: the push server, driven over IPC. */
async function serve() {
  const { createServer } = await import('node:http')
  const { createPushServer } = await import('../dist/server.mjs')
  // No heartbeats during the run: every blank line a client sees is then an event.
  const push = createPushServer({ heartbeatMs: 3_600_000 })
  const http = createServer(push.handler)
  await new Promise((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve))
  let cpuAtStart
  process.on('message', (message) => {
    if (message.type === 'start') {
      cpuAtStart = process.cpuUsage()
      const data = JSON.stringify({ dish: 'kung pao chicken', pad: 'x'.repeat(Math.max(0, message.bytes - 40)) })
      const publish = () => push.publish({ event: 'dish', data })
      publishInBursts({ rate: message.rate, seconds: message.seconds, publish }).then((count) => process.send({ type: 'published', count }))
    } else if (message.type === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart)
      process.send({ type: 'stopped', cpuMicros: cpu.user + cpu.system, clients: push.clientCount, rss: process.memoryUsage().rss })
      push.close().then(() => http.close(() => process.exit(0)))
    }
  })
  process.send({ type: 'ready', port: http.address().port })
}

async function run({ clients, rate, seconds, bytes }) {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const next = messagesOf(child)
  const { port } = await next('ready')
  const open = await connectClients(clients, () => openClient(port))

  const startedAt = performance.now()
  child.send({ type: 'start', rate, seconds, bytes })
  const { count } = await next('published')
  const publishedS = (performance.now() - startedAt) / 1000
  const expected = count * clients
  const delivered = await deliveredTo(open, expected)
  const elapsedS = (performance.now() - startedAt) / 1000
  child.send({ type: 'stop' })
  const stopped = await next('stopped')
  open.forEach((client) => client.close())
  return { rate, count, publishedS, expected, delivered, elapsedS, ...stopped }
}

async function main() {
  const clients = Number(option('clients', 1000))
  const seconds = Number(option('seconds', 2))
  const bytes = Number(option('bytes', 100))
  const rates = String(option('rates', '100,1000')).split(',').map(Number)
  const fmt = (n) => Math.round(n).toLocaleString('en')
  console.log(`fan-out: 1 publisher, ${clients} SSE clients on loopback, events of ~${bytes} bytes, bursts every ${BURST_MS} ms\n`)
  console.log('| asked events/s | published/s | delivered | events/s delivered | server CPU µs / delivered event | clients left | server RSS |')
  console.log('| --- | --- | --- | --- | --- | --- | --- |')
  for (const rate of rates) {
    const r = await run({ clients, rate, seconds, bytes })
    console.log(
      `| ${fmt(rate)} | ${fmt(r.count / r.publishedS)} | ${fmt(r.delivered)} / ${fmt(r.expected)} | ${fmt(r.delivered / r.elapsedS)} | ` +
        `${(r.cpuMicros / Math.max(1, r.delivered)).toFixed(3)} | ${r.clients} | ${(r.rss / 1048576).toFixed(0)} MiB |`,
    )
    if (r.delivered < r.expected) process.exitCode = 1
  }
}
