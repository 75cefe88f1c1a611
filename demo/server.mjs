// `npm run demo`: the dish dashboard on http://127.0.0.1:8088 until Ctrl-C. demo/cluster.mjs
// runs two of these on Redis (REDIS_URL; DEMO_PUBLISH=0 for the one that only serves).
import { startDemo } from './app.mjs'

const port = process.env.PORT === undefined ? 8088 : Number(process.env.PORT)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, got ${process.env.PORT}`)
  process.exit(1)
}
const host = process.env.HOST || '127.0.0.1'
const tickMs = process.env.TICK_MS === undefined ? 1000 : Number(process.env.TICK_MS)
if (!Number.isInteger(tickMs) || tickMs < 10) {
  console.error(`TICK_MS must be an integer of at least 10, got ${process.env.TICK_MS}`)
  process.exit(1)
}

const redisUrl = process.env.REDIS_URL || undefined
const publishOrders = process.env.DEMO_PUBLISH !== '0'

let demo
try {
  demo = await startDemo({ port, host, tickMs, redisUrl, publishOrders })
} catch (error) {
  console.error(`Could not start the demo on ${host}:${port}: ${error.message}`)
  process.exit(1)
}
if (process.send) process.send({ port: demo.port })
console.log(`pushwire demo: dish dashboard at ${demo.url}  (chat: ${demo.url}chat.html)`)
console.log('Press Ctrl-C to stop.')

let stopping = false
function stop(signal) {
  if (stopping) {
    // A second Ctrl-C means "now": do not wait for connections to wind down.
    process.exit(130)
  }
  stopping = true
  console.log(`\n${signal}: closing connections...`)
  demo.close().then(
    () => {
      console.log('Demo stopped.')
      process.exit(0)
    },
    (error) => {
      console.error(error)
      process.exit(1)
    },
  )
}
process.on('SIGINT', () => stop('SIGINT'))
process.on('SIGTERM', () => stop('SIGTERM'))
