import { describe, expect, it } from 'vitest'
import { createIdMemory } from '../../src/core/id-memory'

describe('id memory', () => {
  it('does not grow while only the resume point moves (a quiet stream of heartbeats)', () => {
    const memory = createIdMemory(1024, undefined)
    memory.take('1')
    const before = process.memoryUsage().heapUsed
    for (let beat = 0; beat < 1_000_000; beat++) memory.setLast('beat')
    // A million retained entries would hold at least 8 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2_000_000)
    expect(memory.last()).toBe('beat')
    memory.take('2')
    expect(memory.last()).toBe('2')
  })
})
