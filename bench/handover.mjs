// Hand-over time of a connection shared across tabs: from the leading tab's page.close() to the
// first event delivered in the tab that takes over, over pushwire/server on loopback, in
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//   npm run build && node bench/handover.mjs [--handovers 10] [--tabs 3] [--transport fetch-sse] [--no-locks]
// --no-locks deletes the Web Locks API from every page first: the tabs elect over BroadcastChannel.
// Events are published every 5 ms, so a time includes up to 5 ms of waiting for the next one.
// Both clocks are the machine's wall clock (Date.now() in Node and in the page).
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createPushServer } from '../dist/server.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`)
  return at === -1 ? fallback : args[at + 1]
}
const HANDOVERS = Number(option('handovers', 10))
const TABS = Number(option('tabs', 3))
const TRANSPORT = option('transport', '')
const NO_LOCKS = args.includes('--no-locks')
const PUBLISH_EVERY_MS = 5

const root = fileURLToPath(new URL('..', import.meta.url))
const bundle = await readFile(join(root, 'dist/pushwire.umd.js'))

// The page records when its client became the leader and when the first event after that came.
const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/pushwire.umd.js"></script>
<script>
  window.handover = { ledAt: 0, firstEventAt: 0 }
  const client = Pushwire.createPushClient({
    url: '/stream',
    ${TRANSPORT ? `transports: ['${TRANSPORT}'],` : ''}
    share: Pushwire.shareAcrossTabs(),
  })
  client.onStatus((status) => {
    if (status.role === 'leader' && !handover.ledAt) handover.ledAt = Date.now()
  })
  client.on('*', () => {
    if (handover.ledAt && !handover.firstEventAt) handover.firstEventAt = Date.now()
  })
</script>`

const push = createPushServer({ heartbeatMs: 60_000, bufferSize: 10_000 })
const http = createServer((req, res) => {
  if (req.url.startsWith('/stream')) return push.handler(req, res)
  if (req.url === '/pushwire.umd.js') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle)
  res.writeHead(200, { 'Content-Type': 'text/html' }).end(page)
})
push.attach(http)
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${http.address().port}/`
const publisher = setInterval(() => push.publish({ data: 'tick' }), PUBLISH_EVERY_MS)

const profile = await mkdtemp(join(tmpdir(), 'pushwire-bench-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})

if (NO_LOCKS) await context.addInitScript(() => delete Navigator.prototype.locks)
const state = (tab) => tab.evaluate(() => window.handover)

async function openTab() {
  const tab = await context.newPage()
  await tab.goto(url)
  return tab
}

async function leaderOf(tabs) {
  for (;;) {
    for (const tab of tabs) if ((await state(tab)).firstEventAt) return tab
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const tabs = []
const times = []
try {
  while (tabs.length < TABS) tabs.push(await openTab())
  for (let round = 0; round < HANDOVERS; round++) {
    const leader = await leaderOf(tabs)
    tabs.splice(tabs.indexOf(leader), 1)
    const closedAt = Date.now()
    await leader.close()
    const next = await leaderOf(tabs)
    times.push((await state(next)).firstEventAt - closedAt)
    tabs.push(await openTab())
  }
} finally {
  clearInterval(publisher)
  await context.close()
  await rm(profile, { recursive: true, force: true })
  await push.close()
  http.close()
}

const sorted = times.slice().sort((a, b) => a - b)
const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2
const election = NO_LOCKS ? 'BroadcastChannel election' : 'Web Locks'
console.log(`hand-over (${TRANSPORT || 'default transports'}, ${election}, ${TABS} tabs): page.close() of the leader -> first event in the next leader`)
console.log(`  runs (ms): ${times.join(' ')}`)
console.log(`  median ${median} ms, min ${sorted[0]} ms, max ${sorted[sorted.length - 1]} ms over ${times.length} hand-overs`)
