/**
 * `pushwire/server`: the Node reference server. Never import this from browser code.
 * @packageDocumentation
 */
export { createPushServer } from './server'
export type { IncomingMessageInfo, PublishInput, PushServer, PushServerCors, PushServerOptions } from './types'
