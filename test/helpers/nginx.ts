import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port'
import { within } from './wait'

/** Debian's nginx; scripts/ensure-nginx.sh installs it where it is missing. */
export const NGINX = '/usr/sbin/nginx'

/** A real nginx in the foreground on 127.0.0.1 and a free port, everything it writes in a temporary directory. */
export interface TestNginx {
  port: number
  /** Stops it and removes its directory. */
  close(): Promise<void>
}

/** Whether something accepts connections on the port now. */
function accepting(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Where the `http { … }` contents given to {@link startNginx} must listen, and its TLS files. */
export interface NginxSite {
  port: number
  /** A self-signed certificate for 127.0.0.1 (PEM file), made for this nginx. */
  certificate: string
  /** Its private key (PEM file). */
  key: string
}

/**
 * Starts nginx with the `http { … }` contents that `http(site)` returns. It runs as one process
 * in the foreground, with its pid file, temp paths and error log in its own directory, so
 * nothing of the system's nginx is read or written. Fails with nginx's error log when it does
 * not start.
 */
export async function startNginx(http: (site: NginxSite) => string): Promise<TestNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: run scripts/ensure-nginx.sh (apt-get install nginx)`)
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), http)
    } catch (error) {
      // Another process may take the free port before nginx binds it.
      if (attempt === 3 || (error as Error).message.indexOf('Address already in use') === -1) throw error
    }
  }
}

async function launch(port: number, http: (site: NginxSite) => string): Promise<TestNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'pushwire-nginx-'))
  const site = { port, certificate: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }
  // An EC key: a fraction of the time RSA takes to generate.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
  execFileSync('openssl', ['req', '-x509', ...ec, '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', site.key, '-out', site.certificate], { stdio: ['ignore', 'ignore', 'pipe'] })
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, kind)};`).join('\n')
  writeFileSync(join(dir, 'nginx.conf'), `events {}\nhttp {\naccess_log off;\n${temp}\n${http(site)}\n}\n`)
  const child = spawn(
    NGINX,
    ['-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', `daemon off; master_process off; pid ${join(dir, 'nginx.pid')}; error_log stderr;`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  const ready = (async () => {
    while (child.exitCode === null && child.signalCode === null) {
      if (await accepting(port)) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error('exited')
  })()
  try {
    await within(ready, 'nginx to accept connections', 5000)
  } catch (error) {
    await close()
    throw new Error(`nginx did not start (${(error as Error).message}):\n${log}`)
  }
  return { port, close }
}
