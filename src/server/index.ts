/**
 * `pushwire/server`: the Node reference server. Never import this from browser code.
 * @packageDocumentation
 */
export { memoryAdapter } from './adapters/memory'
export { redisStreamsAdapter } from './adapters/redis-streams'
export { createPushServer } from './server'
export type {
  IncomingMessageInfo,
  MemoryAdapterOptions,
  PublishInput,
  PushAdapter,
  PushServer,
  PushServerCors,
  PushServerOptions,
  RedisClientLike,
  RedisStreamsAdapterOptions,
} from './types'
