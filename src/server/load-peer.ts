import { createRequire } from 'node:module'

/**
 * Loads an optional peer dependency only when a feature needs it. Resolved from this file
 * (CJS: `__filename`, ESM: `import.meta.url`) so the app's own copy is found; a clear error
 * naming the package when it is missing.
 */
export function loadPeer<T>(name: string, neededBy: string): T {
  const base = typeof __filename === 'string' ? __filename : import.meta.url
  try {
    return createRequire(base)(name) as T
  } catch (error) {
    throw new Error(`pushwire/server: ${neededBy} needs the optional peer dependency \`${name}\` (npm install ${name})`, { cause: error })
  }
}
