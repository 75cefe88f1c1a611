import { loadPeer } from '../load-peer'
import type { RedisClientLike } from '../types'

interface RedisModule {
  createClient(options: { url?: string; disableOfflineQueue?: boolean }): RedisClientLike
}

/** Loads `redis` (node-redis), an optional peer dependency, only when the Redis adapter is wanted. */
export function loadRedis(): RedisModule {
  return loadPeer('redis', 'redisStreamsAdapter()')
}
