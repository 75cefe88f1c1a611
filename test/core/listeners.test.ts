import { afterEach, describe, expect, it, vi } from 'vitest'
import { ANY, createListenerRegistry } from '../../src/core/listeners'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('listener registry', () => {
  it('calls the listeners of a key in the order they were added, then those of every key', () => {
    const registry = createListenerRegistry<string>()
    const calls: string[] = []
    registry.add(ANY, (value) => calls.push(`any ${value}`))
    registry.add('dish', (value) => calls.push(`first ${value}`))
    registry.add('dish', (value) => calls.push(`second ${value}`))
    registry.emit('dish', 'a')
    registry.emit('other', 'b')
    expect(calls).toEqual(['first a', 'second a', 'any a', 'any b'])
  })

  it('finishes an emit with the listeners it started with, whatever they add or remove', () => {
    const registry = createListenerRegistry<number>()
    const calls: string[] = []
    let offSecond = () => {}
    registry.add('tick', () => {
      calls.push('first')
      offSecond()
      registry.add('tick', () => calls.push('added'))
    })
    offSecond = registry.add('tick', () => calls.push('second'))
    registry.emit('tick', 1)
    registry.emit('tick', 2)
    expect(calls).toEqual(['first', 'second', 'first', 'added'])
  })

  it('removes with each unsubscribe only its own subscription, once', () => {
    const registry = createListenerRegistry<number>()
    const calls: number[] = []
    const listener = (value: number) => calls.push(value)
    const offFirst = registry.add('tick', listener)
    registry.add('tick', listener)
    offFirst()
    offFirst()
    registry.emit('tick', 1)
    expect(calls).toEqual([1])
  })

  it('knows the keys that have listeners, every-key listeners left out', () => {
    const registry = createListenerRegistry<number>()
    const off = registry.add('dish', () => {})
    registry.add(ANY, () => {})
    expect(registry.keys()).toEqual(['dish'])
    expect(registry.has('dish')).toBe(true)
    off()
    expect(registry.has('dish')).toBe(false)
    expect(registry.keys()).toEqual([])
  })

  it('hands what a listener throws to reportError and calls the others', () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const registry = createListenerRegistry<number>()
    const failure = new Error('listener bug')
    const calls: number[] = []
    registry.add('tick', () => {
      throw failure
    })
    registry.add('tick', (value) => calls.push(value))
    expect(() => registry.emit('tick', 1)).not.toThrow()
    expect(calls).toEqual([1])
    expect(reportError).toHaveBeenCalledWith(failure)
  })

  it('refuses a listener that is not a function with a TypeError', () => {
    const registry = createListenerRegistry<number>()
    expect(() => registry.add('tick', 'log' as unknown as () => void)).toThrow(TypeError)
  })
})
