/**
 * Svelte bindings as plain stores (Svelte 3, 4 and 5; no compiler step):
 * `import { pushClient, pushStatus, pushMessage } from 'pushwire/svelte'`. In Svelte 5 runes
 * code, wrap a store with `fromStore` from `svelte/store`.
 */
export { pushClient, pushStatus, pushMessage, type PushClientSource } from './stores'
export type { MessageOf } from '../frameworks/common'
