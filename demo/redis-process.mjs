// A throwaway local redis-server (the OS package) for `npm run demo:cluster` and
// `npm run bench:cluster`: loopback only, a free port, nothing written to disk.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** Where redis-server is, or `undefined` when it is not installed. */
export function findRedisServer() {
  const dirs = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', ...(process.env.PATH || '').split(delimiter)]
  return dirs.map((dir) => join(dir, 'redis-server')).find((path) => existsSync(path))
}

/** Tells how to install redis-server and exits with status 1. */
export function exitForMissingRedis(what) {
  console.error(`${what} needs redis-server (the OS package), and it is not installed. Install it with:`)
  console.error('  sudo apt-get update && sudo apt-get install -y redis-server     (Debian, Ubuntu)')
  console.error('  brew install redis                                             (macOS)')
  process.exit(1)
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/**
 * Starts `binary` on a free port.
 * @returns {Promise<{ url: string, pid: number, stop(): Promise<void> }>}
 */
export async function startRedis(binary) {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-redis-'))
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise((resolve, reject) => {
    let log = ''
    child.stdout.on('data', (chunk) => {
      log += chunk
      if (log.indexOf('Ready to accept connections') !== -1) resolve()
    })
    child.on('exit', (code) => reject(new Error(`redis-server exited with code ${code}:\n${log}`)))
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      return exited.then(() => rmSync(dir, { recursive: true, force: true }))
    },
  }
}
