// Modules the Svelte tests import that TypeScript cannot see on its own.

// The compiler's server output imports this; it has no published types.
declare module 'svelte/internal/server'

// Test components, compiled by @sveltejs/vite-plugin-svelte (see vitest.config.ts here).
declare module '*.svelte' {
  import type { Component } from 'svelte'
  const component: Component<{ options: import('../../src/index').PushClientOptions }>
  export default component
}
