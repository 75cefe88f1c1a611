import { afterEach, describe, expect, it, vi } from 'vitest'
import { resolveUrl, withQuery } from '../../src/core/url'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('withQuery', () => {
  it('appends encoded parameters after any the URL has, leaving undefined ones and the fragment out', () => {
    expect(withQuery('https://x.test/s', { a: '1', b: undefined })).toBe('https://x.test/s?a=1')
    expect(withQuery('https://x.test/s?room=2#top', { token: 'a b&c', 'last id': '水' })).toBe(
      'https://x.test/s?room=2&token=a%20b%26c&last%20id=%E6%B0%B4',
    )
  })

  it('returns the URL as it was when there is nothing to add', () => {
    expect(withQuery('https://x.test/s#top', undefined)).toBe('https://x.test/s#top')
    expect(withQuery('https://x.test/s', { a: undefined })).toBe('https://x.test/s')
  })
})

describe('resolveUrl', () => {
  it("resolves against a worker's location where there is no document", () => {
    vi.stubGlobal('location', { href: 'https://x.test/app/worker.js' })
    expect(resolveUrl('../stream?a=1')).toBe('https://x.test/stream?a=1')
  })

  it('leaves the URL as it is where there is no location (Node)', () => {
    expect(resolveUrl('/stream')).toBe('/stream')
    expect(resolveUrl('https://x.test/s')).toBe('https://x.test/s')
  })
})
