import fc from 'fast-check'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createIdMemory, MAX_ID_LENGTH } from '../../src/core/id-memory'

/** The engine's collector, so that what is retained can be told from what is merely garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

/** What the memory must do, written the slow and obvious way. */
function referenceMemory(capacity: number, initialLast: string | undefined) {
  let recorded: string[] = []
  let last = initialLast
  // The ids a check must find: those of the array being filled and of the one before it.
  const window = () => {
    if (!recorded.length) return []
    const chunk = Math.floor((recorded.length - 1) / capacity)
    return recorded.slice(Math.max(0, (chunk - 1) * capacity))
  }
  return {
    recordIfNew(id: string) {
      if (id.length > MAX_ID_LENGTH) return true
      if (!id) {
        last = id
        return true
      }
      if (window().indexOf(id) !== -1) return false
      recorded.push(id)
      last = id
      return true
    },
    setLast(id: string) {
      if (id.length <= MAX_ID_LENGTH) last = id
    },
    clear() {
      recorded = []
    },
    last: () => last,
  }
}

type Step = { op: 'record'; id: string } | { op: 'setLast'; id: string } | { op: 'clear' }

const counterIds = fc.integer({ min: 0, max: 40 }).map(String)
/** A counter that a server sometimes rewinds by up to 3, as a replay does: stays in the sorted path. */
const growingWithReplays: fc.Arbitrary<Step[]> = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), { maxLength: 80 })
  .map((moves) => {
    let counter = 0
    return moves.map((back): Step => ({ op: 'record', id: String(back ? Math.max(1, counter - back) : ++counter) }))
  })
const randomIds = fc.constantFrom('a', 'b', 'ab', 'ba', 'zz', '7', '10', 'x-1', 'x-2', '')
const longId = fc.constant('L'.repeat(MAX_ID_LENGTH + 1))
const steps = (ids: fc.Arbitrary<string>): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      { weight: 20, arbitrary: ids.map((id): Step => ({ op: 'record', id })) },
      { weight: 2, arbitrary: ids.map((id): Step => ({ op: 'setLast', id })) },
      { weight: 1, arbitrary: fc.constant<Step>({ op: 'clear' }) },
      { weight: 1, arbitrary: longId.map((id): Step => ({ op: 'record', id })) },
    ),
    { maxLength: 80 },
  )

function checkAgainstReference(list: Step[], capacity: number): void {
  const memory = createIdMemory(capacity, 'start')
  const reference = referenceMemory(capacity, 'start')
  list.forEach((step, index) => {
    const where = `step ${index} of ${JSON.stringify(list)}`
    if (step.op === 'record') expect(memory.recordIfNew(step.id), where).toBe(reference.recordIfNew(step.id))
    else if (step.op === 'setLast') memory.setLast(step.id), reference.setLast(step.id)
    else memory.clear(), reference.clear()
    expect(memory.last(), where).toBe(reference.last())
  })
}

describe('id memory', () => {
  it('drops an id delivered before on the same connection: a replay of 3..5 after 1..5', () => {
    const memory = createIdMemory(1024, undefined)
    const delivered = ['1', '2', '3', '4', '5', '3', '4', '5', '6', '7'].filter((id) => memory.recordIfNew(id))
    expect(delivered).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    expect(memory.last()).toBe('7')
  })

  it('drops repeated random ids as well, once the ids have left the growing order', () => {
    const memory = createIdMemory(1024, undefined)
    const ids = ['c3f1', '9a2b', 'c3f1', '0d4e', '9a2b', 'ffff']
    expect(ids.filter((id) => memory.recordIfNew(id))).toEqual(['c3f1', '9a2b', '0d4e', 'ffff'])
  })

  it('matches the obvious implementation on a growing counter with replays (sorted path)', () => {
    fc.assert(fc.property(growingWithReplays, (list) => checkAgainstReference(list, 4)), { numRuns: 500 })
  })

  it('matches the obvious implementation on counters in any order', () => {
    fc.assert(fc.property(steps(counterIds), (list) => checkAgainstReference(list, 4)), { numRuns: 500 })
  })

  it('matches the obvious implementation on ids in any order (set path)', () => {
    fc.assert(fc.property(steps(fc.oneof(counterIds, randomIds)), (list) => checkAgainstReference(list, 4)), { numRuns: 500 })
  })

  it('remembers at least `capacity` ids and forgets what is older than twice that', () => {
    const memory = createIdMemory(4, undefined)
    for (let id = 1; id <= 9; id++) memory.recordIfNew(String(id))
    // 9 ids into arrays of 4: [5..8] and [9] are kept, [1..4] are gone.
    expect(['5', '6', '7', '8', '9'].map((id) => memory.recordIfNew(id))).toEqual([false, false, false, false, false])
    expect(memory.recordIfNew('4')).toBe(true)
  })

  it('a 256 KiB id is delivered but neither remembered nor made the resume point', () => {
    const memory = createIdMemory(1024, undefined)
    memory.recordIfNew('41')
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let event = 0; event < 400; event++) {
      const id = `${event}:` + 'x'.repeat(256 * 1024)
      expect(memory.recordIfNew(id)).toBe(true)
      expect(memory.recordIfNew(id)).toBe(true)
      memory.setLast(id)
    }
    collectGarbage()
    // 400 such ids kept would be more than 100 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5_000_000)
    expect(memory.last()).toBe('41')
  })

  it('an empty id clears the resume point and is never a duplicate', () => {
    const memory = createIdMemory(1024, 'from-options')
    expect(memory.recordIfNew('')).toBe(true)
    expect(memory.recordIfNew('')).toBe(true)
    expect(memory.last()).toBe('')
  })

  it('does not grow while only the resume point moves (a quiet stream of heartbeats)', () => {
    const memory = createIdMemory(1024, undefined)
    memory.recordIfNew('1')
    const before = process.memoryUsage().heapUsed
    for (let beat = 0; beat < 1_000_000; beat++) memory.setLast('beat')
    // A million retained entries would hold at least 8 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2_000_000)
    expect(memory.last()).toBe('beat')
    memory.recordIfNew('2')
    expect(memory.last()).toBe('2')
  })

  it('keeps only the ids, not the long texts the parser sliced them from', () => {
    const memory = createIdMemory(1024, undefined)
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let event = 0; event < 500; event++) {
      // What eventsource-parser hands over: an id sliced out of a chunk holding a big event.
      const chunk = 'x'.repeat(100_000) + `id: 6f1c2a9e-${event}-4b7d\n`
      memory.recordIfNew(chunk.slice(100_004, -1))
    }
    collectGarbage()
    // Each id holding on to its chunk would be 50 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5_000_000)
    expect(memory.last()).toBe('6f1c2a9e-499-4b7d')
  })
})
