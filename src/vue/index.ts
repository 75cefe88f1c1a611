/**
 * Vue 3.3+ bindings: `import { usePush } from 'pushwire/vue'`. Inside a component nothing
 * connects before mount, so server rendering opens no connection.
 */
export { usePush, type UsePushOptions, type UsePushReturn } from './use-push'
export { usePushEvent } from './use-push-event'
export type { MessageOf } from '../frameworks/common'
