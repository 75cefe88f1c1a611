import { describe, expect, it } from 'vitest'
import { createPushServer, memoryAdapter, type PushServerOptions } from '../../src/server/index'

describe('createPushServer options', () => {
  it.each<[string, PushServerOptions, RegExp]>([
    ['bufferSize 0', { bufferSize: 0 }, /`bufferSize` must be an integer from 1/],
    ['bufferSize 1.5', { bufferSize: 1.5 }, /`bufferSize`/],
    ['bufferSize beyond an array', { bufferSize: 2 ** 32 }, /`bufferSize` must be an integer from 1 to 4294967295/],
    ['heartbeatMs beyond timers', { heartbeatMs: 2 ** 31 }, /`heartbeatMs` must be an integer from 1 to 2147483647/],
    ['pollTimeoutMs negative', { pollTimeoutMs: -1 }, /`pollTimeoutMs`/],
    ['maxClientBufferBytes string', { maxClientBufferBytes: '1mb' as unknown as number }, /`maxClientBufferBytes`/],
    ['maxBodyBytes NaN', { maxBodyBytes: NaN }, /`maxBodyBytes`/],
    ['retryMs negative', { retryMs: -5 }, /`retryMs` must be an integer from 0 to 2147483647/],
    ['retryMs past setTimeout', { retryMs: 1e21 }, /`retryMs` must be an integer from 0 to 2147483647/],
    ['path with a query', { path: '/stream?room=1' }, /`path` must be a pathname starting with '\/' \(no query or fragment\)/],
    ['cors origin with a trailing slash', { cors: { origin: 'https://app.example/' } }, /`cors.origin` must hold '\*' or origins .*got 'https:\/\/app.example\/'/],
    ['cors origin list with a path', { cors: { origin: ['https://a.example', 'https://b.example/app'] } }, /got 'https:\/\/b.example\/app'/],
    ['cors origin in capitals', { cors: { origin: 'https://App.example' } }, /`cors.origin`/],
    ['path without slash', { path: 'stream' }, /`path` must be a pathname starting with '\/'/],
    ['trustProxy as a string', { trustProxy: 'true' as unknown as boolean }, /`trustProxy` must be true or false, got "true"/],
    ['trustProxy as a hop count', { trustProxy: 1 as unknown as boolean }, /`trustProxy` must be true or false, got 1/],
    ['authorize not a function', { authorize: true as unknown as () => boolean }, /`authorize` must be a function/],
    ['onMessage not a function', { onMessage: 'log' as unknown as () => void }, /`onMessage` must be a function/],
    ['cors origin number', { cors: { origin: 5 as unknown as string } }, /`cors.origin` must be a string, an array of strings or a function/],
    ['cors credentials string', { cors: { origin: 'https://a.example', credentials: 'yes' as unknown as boolean } }, /`cors.credentials`/],
    ["cors '*' with credentials", { cors: { origin: '*', credentials: true } }, /cannot be '\*' when `cors.credentials` is true/],
    ["cors ['*'] with credentials", { cors: { origin: ['https://a.example', '*'], credentials: true } }, /cannot be '\*'/],
  ])('rejects %s with a TypeError naming the function and the option', (_name, options, message) => {
    expect(() => createPushServer(options)).toThrow(TypeError)
    expect(() => createPushServer(options)).toThrow(/^pushwire\/server: createPushServer\(\) option `/)
    expect(() => createPushServer(options)).toThrow(message)
  })

  it('accepts the documented defaults and starts no timer before a client connects', async () => {
    const push = createPushServer()
    expect(push.clientCount).toBe(0)
    await push.close()
  })
})

describe('adapter options', () => {
  it('takes only adapters made by the factories, and bufferSize only without one', () => {
    expect(() => createPushServer({ adapter: { name: 'mine' } })).toThrow(/`adapter` must be made by memoryAdapter\(\) or redisStreamsAdapter\(\)/)
    expect(() => createPushServer({ adapter: memoryAdapter(), bufferSize: 5 })).toThrow(/pass it as memoryAdapter\(\{ bufferSize \}\)/)
    expect(() => memoryAdapter({ bufferSize: 0 })).toThrow('pushwire/server: memoryAdapter() option `bufferSize` must be an integer from 1 to 4294967295, got 0')
    expect(() => createPushServer({ writeTimeoutMs: 0 })).toThrow(/`writeTimeoutMs` must be an integer from 1 to 2147483647/)
  })

  it('refuses to share one adapter between two push servers', async () => {
    const adapter = memoryAdapter()
    const push = createPushServer({ adapter })
    expect(() => createPushServer({ adapter })).toThrow(/already serves a push server; create one adapter per createPushServer\(\)/)
    await push.close()
  })
})

describe('publish', () => {
  it('rejects ids and event names that cannot travel in an SSE field', async () => {
    const push = createPushServer()
    await expect(push.publish({ data: 'x', id: 'a\nb' })).rejects.toThrow(/`id` must be a string of 1 to 256 characters/)
    await expect(push.publish({ data: 'x', id: '' })).rejects.toThrow(TypeError)
    await expect(push.publish({ data: 'x', id: 'y'.repeat(257) })).rejects.toThrow(TypeError)
    await expect(push.publish({ data: 'x', event: 'a\rb' })).rejects.toThrow(/`event` must be a non-empty string/)
    await expect(push.publish({ data: undefined })).rejects.toThrow(/JSON-serialisable/)
    await expect(push.publish(null as unknown as { data: string })).rejects.toThrow(TypeError)
    // Nothing invalid was stored: numbering continues at 1.
    await expect(push.publish({ data: 'ok' })).resolves.toBe('1')
    await push.close()
  })

  it('rejects once close() has finished: nothing is stored any more', async () => {
    const push = createPushServer()
    await push.close()
    await expect(push.publish({ data: 'late' })).rejects.toThrow(/publish\(\) after close\(\): the event was not stored/)
  })
})
