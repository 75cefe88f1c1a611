import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, watchPageErrors, type LaunchedBrowser } from './chromium'

// "Try it" of docs/getting-started.md, done as a new user does it: server.mjs and index.html
// exactly as the page prints them, in a directory of their own whose node_modules/pushwire is
// this (built) package, then the page in Chromium. Only the port is changed, to a free one.
const ROOT = join(__dirname, '..', '..')

/** The `lang` code blocks of the "Try it" section of getting-started.md. */
function tryItBlocks(lang: string): string[] {
  const page = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8')
  const section = page.slice(page.indexOf('\n## Try it\n'), page.indexOf('\n## ', page.indexOf('\n## Try it\n') + 1))
  return [...section.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1])
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  return port
}

let dir: string
let server: ChildProcess
let origin: string
let browser: LaunchedBrowser

beforeAll(async () => {
  const [serverCode] = tryItBlocks('js')
  const [page] = tryItBlocks('html')
  dir = mkdtempSync(join(tmpdir(), 'pushwire-try-it-'))
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'pushwire'), 'dir')
  const port = await freePort()
  writeFileSync(join(dir, 'server.mjs'), serverCode.replace(/8080/g, String(port)))
  writeFileSync(join(dir, 'index.html'), page)
  server = spawn(process.execPath, ['server.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
  let printed = ''
  server.stdout?.setEncoding('utf8')
  await new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (chunk: string) => {
      printed += chunk
      if (printed.indexOf(`open http://localhost:${port}/`) !== -1) resolve()
    })
    server.once('exit', (code) => reject(new Error(`server.mjs exited with ${code} before it printed its address: ${printed}`)))
  })
  origin = `http://127.0.0.1:${port}`
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  if (server && server.exitCode === null) {
    server.kill()
    await once(server, 'exit')
  }
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('getting-started.md, "Try it"', () => {
  it('shows the published dishes, one line per second, over fetch-sse', async () => {
    const page = await browser.newPage()
    const watch = watchPageErrors(page)
    watch.allowNetworkError(/status of 404/) // the favicon the browser asks for
    await page.goto(origin + '/')
    await page.waitForFunction(() => document.querySelectorAll('#sales li').length >= 2, undefined, { timeout: 10000 })
    expect(await page.textContent('#status')).toBe('open over fetch-sse')
    const lines = await page.$$eval('#sales li', (items) => items.map((item) => item.textContent))
    // Newest first, one per publish, none missing.
    const sales = lines.map((line) => Number(/^pho: (\d+)$/.exec(line ?? '')?.[1]))
    expect(sales).toEqual(sales.map((_, index) => sales[0] - index))
    expect(watch.unexpected()).toEqual([])
    await page.close()
  })

  it.each(['websocket', 'eventsource', 'long-poll'])('serves the same page over %s', async (transport) => {
    const page = await browser.newPage()
    const watch = watchPageErrors(page)
    watch.allowNetworkError(/status of 404/) // the favicon the browser asks for
    await page.goto(origin + '/')
    const heard = await page.evaluate(
      (transport) =>
        new Promise<string>((resolve) => {
          const client = Pushwire.createPushClient({ url: '/stream', decode: 'json', transports: [transport] })
          client.on('dish', (msg) => {
            client.close()
            resolve(`${msg.transport} ${(msg.data as { name: string }).name}`)
          })
        }),
      transport as 'websocket' | 'eventsource' | 'long-poll',
    )
    expect(heard).toBe(`${transport} pho`)
    expect(watch.unexpected()).toEqual([])
    await page.close()
  })
})

declare const Pushwire: typeof import('../../src/index')
