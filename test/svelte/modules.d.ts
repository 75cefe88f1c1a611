// The compiler's server output imports this; it has no published types.
declare module 'svelte/internal/server'
