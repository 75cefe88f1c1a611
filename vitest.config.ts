import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['test/browser/**'],
    environment: 'node',
    testTimeout: 15000,
    hookTimeout: 15000,
  },
})
