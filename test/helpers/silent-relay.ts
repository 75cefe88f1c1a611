import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A TCP relay in front of a real server that can stop passing its answers on: a peer gone silent. */
export interface SilentRelay {
  /** `redis://127.0.0.1:<relay port>` */
  url: string
  /** Client connections open through the relay right now. */
  readonly connections: number
  /**
   * The connections open now go silent: their requests still get through, the answers never
   * come (a half-open connection, a stopped peer). Connections made afterwards work.
   */
  silence(): void
  close(): Promise<void>
}

/** Starts a {@link SilentRelay} to `port` on 127.0.0.1. */
export async function startSilentRelay(port: number): Promise<SilentRelay> {
  const open = new Set<Socket>()
  const silenced = new WeakSet<Socket>()
  const server = createServer((client) => {
    open.add(client)
    const upstream = connect(port, '127.0.0.1')
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => {
      if (!silenced.has(client)) client.write(chunk)
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
      open.forEach((client) => silenced.add(client))
    },
    async close() {
      open.forEach((client) => client.destroy())
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
