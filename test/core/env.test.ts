import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveEnv } from '../../src/core/env'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('resolveEnv', () => {
  it('prefers what was injected over the globals', () => {
    const injected = { fetch: vi.fn(), WebSocket: class {} as unknown as typeof WebSocket }
    const env = resolveEnv(injected)
    expect(env.fetch).toBe(injected.fetch)
    expect(env.WebSocket).toBe(injected.WebSocket)
  })

  it('reads the globals when it runs, not when pushwire loaded (a polyfill may come later)', () => {
    expect(resolveEnv({}).EventSource).toBeUndefined()
    const Polyfill = class {} as unknown as typeof EventSource
    vi.stubGlobal('EventSource', Polyfill)
    expect(resolveEnv({}).EventSource).toBe(Polyfill)
  })

  it('calls the global fetch on its global, as browsers demand', async () => {
    let calledOn: unknown
    vi.stubGlobal('fetch', function (this: unknown) {
      calledOn = this
      return Promise.resolve(new Response(''))
    })
    await (resolveEnv({}).fetch as typeof fetch)('http://x.test/')
    expect(calledOn).toBe(globalThis)
  })
})
