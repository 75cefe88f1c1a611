import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { recallTransport, rememberTransport } from '../../src/core/transport-memory'
import { builtInTransports } from '../../src/transports/index'
import type { Transport } from '../../src/types'
import { createMemoryStorage, type MemoryStorage } from '../helpers'

const URL = 'https://app.example/stream'
const DEFAULT_ORDER: Transport[] = builtInTransports
const [fetchSse, , , longPoll] = builtInTransports
const THIRTY_MINUTES = 30 * 60 * 1000

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('transport memory without storage', () => {
  it('starts from the first transport and remembers nothing where there is no localStorage (Node, workers)', () => {
    expect(typeof (globalThis as { localStorage?: unknown }).localStorage).toBe('undefined')
    expect(() => rememberTransport(URL, DEFAULT_ORDER, 3)).not.toThrow()
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
  })

  it('never throws where reading localStorage itself throws (sandboxed iframes, blocked site data)', () => {
    const denied = () => {
      throw new DOMException('The document is sandboxed', 'SecurityError')
    }
    Object.defineProperty(globalThis, 'localStorage', { get: denied, configurable: true })
    try {
      expect(() => rememberTransport(URL, DEFAULT_ORDER, 3)).not.toThrow()
      expect(() => rememberTransport(URL, DEFAULT_ORDER, 0)).not.toThrow()
      expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage
    }
  })

  it('never throws where writing throws (a full storage, Safari private mode before 11)', () => {
    const storage = createMemoryStorage()
    const full = () => {
      throw new DOMException('quota', 'QuotaExceededError')
    }
    storage.setItem = full
    storage.removeItem = full
    vi.stubGlobal('localStorage', storage)
    expect(() => rememberTransport(URL, DEFAULT_ORDER, 3)).not.toThrow()
    expect(() => rememberTransport(URL, DEFAULT_ORDER, 0)).not.toThrow()
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
  })
})

describe('transport memory', () => {
  let storage: MemoryStorage

  beforeEach(() => {
    storage = createMemoryStorage()
    vi.stubGlobal('localStorage', storage)
    vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') })
  })

  it('starts from the first transport when nothing was remembered', () => {
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
  })

  it('gives back the transport that opened after a fallback, found by name in the new list', () => {
    rememberTransport(URL, DEFAULT_ORDER, 3)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(3)
    // Another page with another list (headers set: only the two that can send them).
    expect(recallTransport(URL, [fetchSse, longPoll])).toBe(1)
  })

  it('starts from the first when the remembered transport is not in the list', () => {
    rememberTransport(URL, DEFAULT_ORDER, 2)
    expect(recallTransport(URL, [fetchSse, longPoll])).toBe(0)
  })

  it('forgets when the first transport opens again', () => {
    rememberTransport(URL, DEFAULT_ORDER, 2)
    rememberTransport(URL, DEFAULT_ORDER, 0)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
    expect(storage.entries.size).toBe(0)
  })

  it('expires 30 minutes after it was remembered', () => {
    rememberTransport(URL, DEFAULT_ORDER, 2)
    vi.setSystemTime(Date.now() + THIRTY_MINUTES - 1)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(2)
    // Learned again (by a client that fell back after it expired, say): 30 minutes from then.
    rememberTransport(URL, DEFAULT_ORDER, 2)
    vi.setSystemTime(Date.now() + THIRTY_MINUTES - 1)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(2)
    vi.advanceTimersByTime(1)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
  })

  it('keeps one entry per stream path, whatever its query (a token that changes on every load)', () => {
    rememberTransport(`${URL}?token=first`, DEFAULT_ORDER, 3)
    rememberTransport(`${URL}?token=second#x`, DEFAULT_ORDER, 3)
    expect(storage.entries.size).toBe(1)
    expect(recallTransport(`${URL}?token=third`, DEFAULT_ORDER)).toBe(3)
    expect(recallTransport('https://app.example/other-stream', DEFAULT_ORDER)).toBe(0)
  })

  it("removes every expired entry, also those of paths never visited again, and nobody else's", () => {
    // A stream per room: each one that fell back left an entry.
    for (let room = 0; room < 50; room++) rememberTransport(`https://app.example/rooms/${room}/stream`, DEFAULT_ORDER, 3)
    storage.setItem('app:draft', 'keep me')
    vi.setSystemTime(Date.now() + THIRTY_MINUTES)
    rememberTransport(URL, DEFAULT_ORDER, 2)
    expect(recallTransport(URL, DEFAULT_ORDER)).toBe(2)
    expect([...storage.entries.keys()].sort()).toEqual(['app:draft', `pushwire:transport:${URL}`])
  })

  it('ignores an entry it cannot read', () => {
    rememberTransport(URL, DEFAULT_ORDER, 3)
    const [key] = storage.entries.keys()
    for (const entry of ['long-poll', 'soon long-poll', `${Date.now() + 1000}`, '']) {
      storage.entries.set(key, entry)
      expect(recallTransport(URL, DEFAULT_ORDER)).toBe(0)
    }
  })
})
