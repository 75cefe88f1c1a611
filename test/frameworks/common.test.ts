import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connectionKey, IDLE_STATUS, liveOptions } from '../../src/frameworks/common'
import type { PushClientOptions } from '../../src/index'

const SRC = join(__dirname, '..', '..', 'src')
const BINDINGS = ['react', 'vue', 'svelte']

describe('framework bindings', () => {
  it.each(BINDINGS)('%s imports no other binding, only frameworks/common and the core', (binding) => {
    const others = BINDINGS.filter((other) => other !== binding)
    for (const file of readdirSync(join(SRC, binding))) {
      const source = readFileSync(join(SRC, binding, file), 'utf8')
      const specifiers = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1])
      const sibling = specifiers.filter((specifier) => others.some((other) => specifier.startsWith(`../${other}/`)))
      expect(sibling, `${binding}/${file}`).toEqual([])
    }
  })
})

describe('IDLE_STATUS', () => {
  it('is idle with no transport, and frozen so no binding can change it for the others', () => {
    expect(IDLE_STATUS).toEqual({ state: 'idle', transport: null, attempt: 0 })
    expect(Object.isFrozen(IDLE_STATUS)).toBe(true)
  })
})

describe('connectionKey', () => {
  it('changes with url and websocketUrl only', () => {
    const base: PushClientOptions = { url: '/stream' }
    expect(connectionKey({ ...base, decode: 'json', headers: { a: 'b' } })).toBe(connectionKey(base))
    expect(connectionKey({ url: '/other' })).not.toBe(connectionKey(base))
    expect(connectionKey({ ...base, websocketUrl: 'ws://elsewhere/stream' })).not.toBe(connectionKey(base))
  })
})

describe('liveOptions', () => {
  it('reads query and headers from the latest options at every call', async () => {
    let token = 'one'
    const options = liveOptions(() => ({ url: '/stream', query: { token }, headers: async () => ({ Authorization: token }) }))
    token = 'two'
    expect(await (options.query as () => unknown)()).toEqual({ token: 'two' })
    expect(await (options.headers as () => unknown)()).toEqual({ Authorization: 'two' })
  })

  it('adds no headers when the first options had none, since headers decide the transports', () => {
    let withHeaders = false
    const options = liveOptions(() => (withHeaders ? { url: '/stream', headers: { a: 'b' } } : { url: '/stream' }))
    withHeaders = true
    expect(options.headers).toBeUndefined()
  })

  it('gives an empty query while the latest options have none (one may appear later)', async () => {
    let query: Record<string, string> | undefined
    const options = liveOptions(() => ({ url: '/stream', query }))
    expect(await (options.query as () => unknown)()).toEqual({})
    query = { token: 'late' }
    expect(await (options.query as () => unknown)()).toEqual({ token: 'late' })
  })
})
