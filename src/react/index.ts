/**
 * React bindings: `import { usePush } from 'pushwire/react'`. Nothing here connects before a
 * component mounts, so server rendering opens no connection.
 */
export { usePushClient } from './use-push-client'
export { usePushStatus } from './use-push-status'
export { usePushEvent, usePushMessage } from './use-push-event'
export { usePush, type UsePushResult } from './use-push'
export type { MessageOf } from '../frameworks/common'
