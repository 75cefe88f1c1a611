// `npm run demo:cluster`: the same dashboard, served by two demo processes that share one
// local redis-server (Redis streams adapter), behind a round-robin proxy on the demo port.
// "Drop connection" then lands the client on the other process; the gap counter stays at 0.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startProxy } from './proxy.mjs'
import { exitForMissingRedis, findRedisServer, startRedis } from './redis-process.mjs'

const PROCESSES = 2

/** One demo process (demo/server.mjs) on a free port; only the first one publishes orders. */
function startDemoProcess(redisUrl, index) {
  const child = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl, DEMO_PUBLISH: index === 0 ? '1' : '0' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve({ child, port: message.port }))
    child.once('exit', (code) => reject(new Error(`demo process ${index + 1} exited with code ${code}`)))
  })
}

const port = process.env.PORT === undefined ? 8088 : Number(process.env.PORT)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got ${process.env.PORT}`)
  process.exit(1)
}
const host = process.env.HOST || '127.0.0.1'

const redisBinary = findRedisServer()
if (!redisBinary) exitForMissingRedis('npm run demo:cluster')

let redis
let processes = []
let proxy
try {
  redis = await startRedis(redisBinary)
  processes = await Promise.all(Array.from({ length: PROCESSES }, (_, index) => startDemoProcess(redis.url, index)))
  const names = new Map(processes.map((each, index) => [each.port, `process ${index + 1} (port ${each.port})`]))
  proxy = await startProxy({
    port,
    host,
    backends: processes.map((each) => each.port),
    onStream(backend, req) {
      // Long-polls come every few seconds; the persistent streams are the ones worth a line.
      if (req.url.indexOf('transport=long-poll') === -1) console.log(`stream ${req.url} → ${names.get(backend)}`)
    },
  })
} catch (error) {
  console.error(`Could not start the cluster demo: ${error.message}`)
  processes.forEach((each) => each.child.kill('SIGTERM'))
  if (redis) await redis.stop()
  process.exit(1)
}

const url = `http://${host.indexOf(':') === -1 ? host : `[${host}]`}:${proxy.port}/`
console.log(`pushwire demo (cluster): dish dashboard at ${url}  (chat: ${url}chat.html)`)
console.log(`${PROCESSES} demo processes on ports ${processes.map((each) => each.port).join(' and ')}, one Redis at ${redis.url}, a round-robin proxy in front.`)
console.log('Press Ctrl-C to stop.')

let stopping = false
async function stop(signal) {
  if (stopping) process.exit(130)
  stopping = true
  console.log(`\n${signal}: stopping the proxy, the demo processes and Redis...`)
  await proxy.close()
  await Promise.all(
    processes.map(
      ({ child }) =>
        new Promise((resolve) => {
          child.once('exit', resolve)
          child.kill('SIGTERM')
        }),
    ),
  )
  await redis.stop()
  console.log('Demo stopped.')
  process.exit(0)
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
