// What the three example apps share: the dish stream, served by the Vite dev server itself.
// `pushwire/*` resolves to this repository's build (`npm run build`), as it would from
// node_modules in an app that installed pushwire.
import type { Server } from 'node:http'
import type { Plugin, UserConfig } from 'vite'
import { createOrderSimulator } from '../../demo/orders.mjs'

// In an app: import { createPushServer } from 'pushwire/server'. Vite may run its bundled copy
// of this config from node_modules/.vite-temp, where the package cannot import itself by name,
// so the build is loaded by its path.
const { createPushServer }: typeof import('pushwire/server') = await import(
  new URL('../../dist/server.mjs', import.meta.url).href
)

/** Serves `GET /stream` (and its WebSocket upgrade) with a `dish` event every `tickMs`. */
function dishStream(tickMs = 1000): Plugin {
  return {
    name: 'pushwire-dish-stream',
    configureServer(server) {
      const push = createPushServer({ path: '/stream', heartbeatMs: 10000 })
      const simulator = createOrderSimulator()
      server.middlewares.use((req, res, next) => {
        if ((req.url || '').split('?')[0] === '/stream') push.handler(req, res, next)
        else next()
      })
      // Plain HTTP (no `server.https` here), so this is a node:http server.
      if (server.httpServer) push.attach(server.httpServer as Server)
      const publish = () => push.publish({ event: 'dish', data: simulator.tick(Date.now()) }).catch(console.error)
      publish()
      const timer = setInterval(publish, tickMs)
      server.httpServer?.once('close', () => {
        clearInterval(timer)
        void push.close()
      })
    },
  }
}

/** The Vite config of one example app: its framework's plugins, aliases and defines added. */
export function exampleConfig({ plugins = [], resolve, ...rest }: UserConfig = {}): UserConfig {
  return {
    ...rest,
    plugins: [dishStream(), ...plugins],
    resolve,
    server: { host: '127.0.0.1' },
  }
}
