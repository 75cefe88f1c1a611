import { describe, expect, it } from 'vitest'
import { builtInTransports } from '../../src/transports/index'
import { TRANSPORT_NAMES } from '../../src/types'

describe('builtInTransports', () => {
  it('holds one transport per name in TRANSPORT_NAMES, each under its own name', () => {
    expect(Object.keys(builtInTransports).sort()).toEqual([...TRANSPORT_NAMES].sort())
    TRANSPORT_NAMES.forEach((name) => expect(builtInTransports[name].name).toBe(name))
  })
})
