import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port'
import { within } from './wait'

/** Debian's redis-server; scripts/ensure-redis.sh installs it where it is missing. */
export const REDIS_SERVER = '/usr/bin/redis-server'

/** A real redis-server on 127.0.0.1 and a free port, persistence off, in a temporary directory. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string
  port: number
  /**
   * Stops the server: `'save'` writes its data to disk first (a restart brings it back),
   * `'lose'` stops it without saving and deletes what was saved (a restart comes back empty).
   */
  stop(how: 'save' | 'lose'): Promise<void>
  /** Starts it again on the same port and directory. */
  start(): Promise<void>
  /** Stops the process with SIGSTOP: connections stay open, and nothing is answered until {@link resume}. */
  pause(): void
  /** Lets a paused server go on (SIGCONT); it then answers what it was sent meanwhile. */
  resume(): void
  /** Stops it for good and removes its directory. */
  close(): Promise<void>
}

/** Starts a {@link TestRedis}. */
export async function startRedis(): Promise<TestRedis> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: run scripts/ensure-redis.sh (apt-get install redis-server)`)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-redis-'))
  let child: ChildProcess | undefined

  async function start(): Promise<void> {
    const started = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child = started
    let log = ''
    const ready = new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => {
        log += chunk
        if (log.indexOf('Ready to accept connections') !== -1) resolve()
      })
      started.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${log}`)))
    })
    await within(ready, 'redis-server to accept connections', 10000)
  }

  async function stop(how: 'save' | 'lose'): Promise<void> {
    const running = child
    if (!running || running.exitCode !== null) return
    child = undefined
    const exited = new Promise((resolve) => running.once('exit', resolve))
    // SHUTDOWN SAVE writes dump.rdb even with `--save ''`; SIGKILL is a crash that saves nothing.
    if (how === 'save') connect(port, '127.0.0.1').on('error', () => running.kill('SIGTERM')).end('SHUTDOWN SAVE\r\n')
    else running.kill('SIGKILL')
    await within(exited, 'redis-server to stop', 10000)
    if (how === 'lose') rmSync(join(dir, 'dump.rdb'), { force: true })
  }

  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async close() {
      await stop('lose')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
