import { describe, expect, it } from 'vitest'
import { builtInTransports } from '../../src/transports/index'
import { TRANSPORT_NAMES } from '../../src/types'

describe('builtInTransports', () => {
  it('holds one transport per name in TRANSPORT_NAMES, in that order (the default preference)', () => {
    expect(builtInTransports.map((transport) => transport.name)).toEqual([...TRANSPORT_NAMES])
  })
})
