// Svelte component tests need the Svelte compiler plugin and Svelte's browser build, which the
// main config must not apply to every other test. A project of the main vitest config; alone:
// vitest run -c test/svelte/vitest.config.ts
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'
import { defineConfig } from 'vitest/config'

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const svelteDir = at('../../node_modules/svelte/')

// Svelte's browser build is picked by path, not by adding the 'browser' resolve condition:
// Vitest hands resolve conditions to Node too, and under 'browser' the test server's `ws`
// loads its browser stub.
export default defineConfig({
  root: at('../..'),
  plugins: [svelte(), svelteTesting({ resolveBrowser: false })],
  resolve: {
    alias: [
      { find: /^svelte$/, replacement: `${svelteDir}src/index-client.js` },
      { find: /^svelte\/store$/, replacement: `${svelteDir}src/store/index-client.js` },
      { find: 'pushwire/svelte', replacement: at('../../src/svelte/index.ts') },
    ],
  },
  test: {
    dir: at('../..'),
    include: ['test/svelte/components/**/*.spec.ts'],
    environment: 'happy-dom',
    testTimeout: 15000,
    hookTimeout: 15000,
  },
})
