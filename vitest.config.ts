import { defineConfig } from 'vitest/config'

// Two projects: everything that runs in Node or happy-dom as is, and the Svelte component
// tests that need the Svelte compiler plugin (their own config). The browser suite has
// its own config (vitest.browser.config.ts) and runs after the build.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: ['test/browser/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 15000,
          hookTimeout: 15000,
        },
      },
      'test/svelte/vitest.config.ts',
    ],
  },
})
