// Push servers in child processes, for tests that need several processes (one Redis stream,
// many servers) or an honest measure of one server's memory.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import type { PublishInput } from '../../src/server/index'
import { within } from '../helpers/wait'
import type { PushNodeConfig, PushNodeRequest } from './fixtures/push-node'

const ROOT = join(__dirname, '..', '..')
// Inside the repository, so that the bundle finds `ws` and `redis` in node_modules.
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'pushwire-tests')

let bundle: Promise<string> | undefined

/** Bundles the fixture once per test file (each file runs in its own worker). */
function fixtureBundle(): Promise<string> {
  if (!bundle) {
    const outfile = join(BUNDLE_DIR, `push-node.${process.pid}.${Date.now()}.mjs`)
    mkdirSync(BUNDLE_DIR, { recursive: true })
    bundle = build({
      entryPoints: [join(__dirname, 'fixtures', 'push-node.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node18',
      external: ['ws', 'redis'],
      logLevel: 'error',
    }).then(() => outfile)
  }
  return bundle
}

/** Removes this file's bundle (for afterAll). */
export async function removeFixtureBundle(): Promise<void> {
  if (bundle) rmSync(await bundle, { force: true })
  bundle = undefined
}

/** One push server process. */
export interface PushNode {
  port: number
  origin: string
  publish(input: PublishInput): Promise<string>
  /** `count` publishes of `input` in one turn of the node's event loop. */
  publishMany(input: PublishInput, count: number): Promise<string[]>
  /** Clients connected to this process, and its resident memory after a full GC. */
  stats(): Promise<{ clientCount: number; rss: number }>
  disconnectAll(): Promise<number>
  /** Closes the push server (clients, adapter) and ends the process. */
  close(): Promise<void>
  /** What the process wrote to stderr (Redis outage reports, say). */
  readonly stderr: string
}

/** Starts a push server in a child process (run with --expose-gc, so `stats()` measures live memory). */
export async function startPushNode(config: PushNodeConfig = {}): Promise<PushNode> {
  const child: ChildProcess = fork(await fixtureBundle(), [JSON.stringify(config)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk))
  const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  let nextId = 1
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.on('message', (message: { ready?: number; id?: number; result?: unknown; error?: string }) => {
        if (message.ready !== undefined) return resolve(message.ready)
        const call = calls.get(message.id!)
        if (!call) return
        calls.delete(message.id!)
        if (message.error !== undefined) call.reject(new Error(message.error))
        else call.resolve(message.result)
      })
      child.on('exit', (code) => {
        reject(new Error(`push node exited with ${code}: ${stderr}`))
        calls.forEach((call) => call.reject(new Error(`push node exited with ${code}`)))
        calls.clear()
      })
    }),
    'push node to listen',
    20000,
  )

  function call<T>(request: PushNodeRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never): Promise<T> {
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ ...request, id })
    })
  }

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    publish: (input) => call({ op: 'publish', input }),
    publishMany: (input, count) => call({ op: 'publishMany', input, count }),
    stats: () => call({ op: 'stats' }),
    disconnectAll: () => call({ op: 'disconnectAll' }),
    async close() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await within(call({ op: 'close' }), 'push node to close', 10000).catch(() => child.kill('SIGKILL'))
      child.disconnect()
      await within(exited, 'push node to exit', 10000)
    },
    get stderr() {
      return stderr
    },
  }
}
