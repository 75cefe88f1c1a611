import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createIdMemory } from '../../src/core/id-memory'

/** The engine's collector, so that what is retained can be told from what is merely garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

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

  it('keeps only the ids, not the long texts the parser sliced them from', () => {
    const memory = createIdMemory(1024, undefined)
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let event = 0; event < 500; event++) {
      // What eventsource-parser hands over: an id sliced out of a chunk holding a big event.
      const chunk = 'x'.repeat(100_000) + `id: 6f1c2a9e-${event}-4b7d\n`
      memory.take(chunk.slice(100_004, -1))
    }
    collectGarbage()
    // Each id holding on to its chunk would be 50 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5_000_000)
    expect(memory.last()).toBe('6f1c2a9e-499-4b7d')
  })
})
