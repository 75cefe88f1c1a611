import { createRequire } from 'node:module'

type WsModule = typeof import('ws')

/**
 * Loads `ws`, an optional peer dependency, only when WebSockets are wanted. Resolved from this
 * file (CJS: `__filename`, ESM: `import.meta.url`) so the app's own copy of `ws` is found.
 */
export function loadWs(): WsModule {
  const base = typeof __filename === 'string' ? __filename : import.meta.url
  try {
    return createRequire(base)('ws') as WsModule
  } catch (error) {
    throw new Error('pushwire/server: attach() needs the optional peer dependency `ws` (npm install ws)', {
      cause: error,
    })
  }
}
