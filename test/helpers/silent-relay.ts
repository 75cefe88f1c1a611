import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A TCP relay in front of a real server that can stop passing its answers on: a peer gone silent. */
export interface SilentRelay {
  /** `redis://127.0.0.1:<relay port>` */
  url: string
  /** Client connections open through the relay right now. */
  readonly connections: number
  /** From now on, what the server answers is held back: requests get through, answers never come. */
  silence(): void
  close(): Promise<void>
}

/** Starts a {@link SilentRelay} to `port` on 127.0.0.1. */
export async function startSilentRelay(port: number): Promise<SilentRelay> {
  const open = new Set<Socket>()
  let silent = false
  const server = createServer((client) => {
    open.add(client)
    const upstream = connect(port, '127.0.0.1')
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk)
    })
    const drop = () => {
      open.delete(client)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', drop).on('error', drop)
    upstream.on('close', drop).on('error', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get connections() {
      return open.size
    },
    silence() {
      silent = true
    },
    async close() {
      open.forEach((client) => client.destroy())
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
