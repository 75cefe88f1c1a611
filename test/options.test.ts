import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPushClient, type PushClientOptions } from '../src/index'
import { resolveOptions, type ResolvedOptions } from '../src/options'

const URL = 'http://127.0.0.1:1/stream'

describe('options', () => {
  const bad: [string, Partial<PushClientOptions>, RegExp][] = [
    ['missing url', { url: undefined }, /options\.url must be an http\(s\) URL/],
    ['ftp url', { url: 'ftp://x/y' }, /options\.url/],
    ['relative url without a page', { url: '/stream' }, /relative URLs/],
    ['unknown transport', { transports: ['carrier-pigeon' as 'websocket'] }, /transports\[0\] must be one of 'fetch-sse', 'eventsource', 'websocket', 'long-poll'/],
    ['empty transports', { transports: [] }, /options\.transports/],
    ['negative delay', { retry: { initialDelayMs: -1 } }, /retry\.initialDelayMs must be a finite number >= 0/],
    ['infinite max delay', { retry: { maxDelayMs: Infinity } }, /retry\.maxDelayMs/],
    ['NaN attempts', { retry: { maxAttempts: NaN } }, /retry\.maxAttempts/],
    ['factor below 1', { retry: { factor: 0.5 } }, /retry\.factor must be a finite number >= 1/],
    ['jitter above 1', { retry: { jitter: 2 } }, /retry\.jitter must be a number from 0 to 1/],
    ['maxMessageBytes 0', { maxMessageBytes: 0 }, /maxMessageBytes must be a finite number >= 1/],
    ['negative connect timeout', { connectTimeoutMs: -5 }, /connectTimeoutMs/],
    ['connect timeout past setTimeout', { connectTimeoutMs: 2 ** 31 }, /connectTimeoutMs must be a number from 1 to 2147483647/],
    ['heartbeat timeout past setTimeout', { heartbeatTimeoutMs: 1e12 }, /heartbeatTimeoutMs must be a number from 1 to 2147483647/],
    ['max delay past setTimeout', { retry: { maxDelayMs: 2 ** 31 } }, /retry\.maxDelayMs must be a number from 0 to 2147483647/],
    ['unknown decode', { decode: 'xml' as 'json' }, /decode must be 'text', 'json' or a function/],
    ['fractional fallbackAfter', { fallbackAfter: 1.5 }, /fallbackAfter must be a whole number/],
    ['headers string', { headers: 'Bearer x' as unknown as Record<string, string> }, /headers must be an object or a function/],
    ['bad websocketUrl', { websocketUrl: 'ftp://x' }, /websocketUrl/],
    ['unknown websocketFormat', { websocketFormat: 'json' as 'text' }, /websocketFormat must be 'sse', 'text' or a function/],
    ['websocketProtocols number', { websocketProtocols: 7 as unknown as string }, /websocketProtocols must be a string or a list/],
    ['share not made by shareAcrossTabs()', { share: true as never }, /options\.share must be the value of shareAcrossTabs\(\)/],
    ['share an object', { share: { key: 'room' } as never }, /options\.share must be the value of shareAcrossTabs\(\)/],
    ['lastEventId over the id bound', { lastEventId: 'x'.repeat(1025) }, /options\.lastEventId must be a string of at most 1024 characters/],
  ]
  it.each(bad)('throws a TypeError for %s', (_, options, message) => {
    expect(() => createPushClient({ url: URL, lazy: true, ...options } as PushClientOptions)).toThrow(TypeError)
    expect(() => createPushClient({ url: URL, lazy: true, ...options } as PushClientOptions)).toThrow(message)
  })

  it("resolves a relative url against a worker's location", () => {
    vi.stubGlobal('location', { href: 'http://127.0.0.1:1/app/worker.js' })
    expect(resolveOptions({ url: 'stream?room=1' }).url).toBe('http://127.0.0.1:1/app/stream?room=1')
  })

  it('accepts Infinity attempts and derives the WebSocket URL', () => {
    const resolved = resolveOptions({ url: 'https://example.test/s?a=1', retry: { maxAttempts: Infinity } })
    expect(resolved.retry.maxAttempts).toBe(Infinity)
    expect(resolved.websocketUrl).toBe('wss://example.test/s?a=1')
  })

  it('derives websocketUrl by scheme: http to ws, https to wss, whatever their case', () => {
    expect(resolveOptions({ url: 'http://x.test/s' }).websocketUrl).toBe('ws://x.test/s')
    expect(resolveOptions({ url: 'https://x.test/s' }).websocketUrl).toBe('wss://x.test/s')
    // Schemes are case-insensitive: an upper-case one still names the secure scheme.
    const secure = (options: PushClientOptions) => new globalThis.URL(resolveOptions(options).websocketUrl).protocol
    expect(secure({ url: 'HTTPS://x.test/s' })).toBe('wss:')
    expect(secure({ url: 'http://x.test/s', websocketUrl: 'HTTPS://y.test/w' })).toBe('wss:')
  })

  it('takes a lastEventId as long as the id bound as the resume point', () => {
    const id = 'x'.repeat(1024)
    expect(createPushClient({ url: URL, lazy: true, lastEventId: id }).lastEventId).toBe(id)
  })

  it('reads retry: false as no reconnection at all', () => {
    expect(resolveOptions({ url: URL, retry: false }).retry.maxAttempts).toBe(0)
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
})

/** The `@default` tag of every member of `interfaceName` in src/types.ts (`undefined`: none). */
function documentedDefaults(interfaceName: string): Map<string, string | undefined> {
  const path = join(__dirname, '..', 'src', 'types.ts')
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
  const defaults = new Map<string, string | undefined>()
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== interfaceName) return
    for (const member of node.members) {
      const tag = ts.getJSDocTags(member).find((candidate) => candidate.tagName.text === 'default')
      const text = tag && ts.getTextOfJSDocComment(tag.comment)
      defaults.set((member.name as ts.Identifier).text, text?.trim())
    }
  })
  return defaults
}

/** A documented default as a value; prose (in backticks) stays text. */
function valueOf(documented: string): unknown {
  return documented.startsWith('`') ? documented : (new Function(`return (${documented})`)() as unknown)
}

/** What resolveOptions made of an option left out, in the terms the docs use. */
function resolvedDefault(resolved: ResolvedOptions, option: string): unknown {
  if (option === 'transports') return resolved.transports.map((transport) => transport.name)
  // 'text' hands the data on as it came.
  if (option === 'decode') return resolved.decode('{"a":1}', 'message') === '{"a":1}' ? 'text' : resolved.decode
  if (option === 'websocketUrl') return resolved.websocketUrl === URL.replace(/^http/, 'ws') ? '`url` with http→ws, https→wss' : resolved.websocketUrl
  const value = (resolved as unknown as Record<string, unknown>)[option]
  // Flags the client reads as "set or not".
  return value === undefined && (option === 'lazy' || option === 'pauseWhenHidden') ? false : value
}

describe('the documented defaults', () => {
  const resolved = resolveOptions({ url: URL })

  it('of every option in PushClientOptions are what resolveOptions fills in', () => {
    const undocumented: string[] = []
    documentedDefaults('PushClientOptions').forEach((documented, option) => {
      if (documented === undefined) return void undocumented.push(option)
      expect(resolvedDefault(resolved, option), option).toEqual(valueOf(documented))
    })
    // Required, or "none": nothing is filled in for these.
    expect(undocumented.sort()).toEqual(['headers', 'lastEventId', 'query', 'share', 'url', 'websocketProtocols'])
    undocumented.forEach((option) => option === 'url' || expect(resolvedDefault(resolved, option), option).toBeUndefined())
  })

  it('of every field of RetryOptions are what resolveOptions fills in', () => {
    const documented = documentedDefaults('RetryOptions')
    expect([...documented.keys()].sort()).toEqual(Object.keys(resolved.retry).sort())
    documented.forEach((text, field) => {
      expect(resolved.retry[field as keyof typeof resolved.retry], field).toEqual(valueOf(text as string))
    })
  })
})
