import { describe, expect, it } from 'vitest'
import { fetchSseTransport } from '../../src/transports/fetch-sse'
import { longPollTransport } from '../../src/transports/long-poll'
import type { TransportEnv } from '../../src/types'
import { createXhrShim } from '../helpers'
import { useTransportHarness } from './harness'

// WHATWG: the stream is UTF-8 decoded, which removes ONE leading BOM; a second U+FEFF is part of
// the first field name (here an unknown field `\uFEFFdata`, so its event carries no data).
// Each case is a list of network chunks; every chunk is read on its own.

const BOM = [0xef, 0xbb, 0xbf]
const bytes = (...parts: Array<number[] | string>): Uint8Array =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? Array.from(new TextEncoder().encode(part)) : part)))

const ONE_BOM: Array<[string, Uint8Array[]]> = [
  ['in the first chunk', [bytes(BOM, 'data: a\n\n')]],
  ['as the whole first chunk', [bytes(BOM), bytes('data: a\n\n')]],
  ['split across chunks', [bytes(BOM.slice(0, 2)), bytes(BOM.slice(2), 'data: a\n\n')]],
]
const TWO_BOMS: Array<[string, Uint8Array[]]> = [
  ['in the first chunk', [bytes(BOM, BOM, 'data: x\n\ndata: a\n\n')]],
  ['the first as the whole first chunk', [bytes(BOM), bytes(BOM, 'data: x\n\ndata: a\n\n')]],
  ['both as the whole first chunk', [bytes(BOM, BOM), bytes('data: x\n\ndata: a\n\n')]],
  ['the second split across chunks', [bytes(BOM, [0xef]), bytes([0xbb, 0xbf], 'data: x\n\ndata: a\n\n')]],
]
const CASES: Array<[string, Uint8Array[]]> = [
  ...ONE_BOM.map(([name, chunks]): [string, Uint8Array[]] => [`one BOM ${name}: removed`, chunks]),
  ...TWO_BOMS.map(([name, chunks]): [string, Uint8Array[]] => [`two BOMs, ${name}: the second is part of the field name`, chunks]),
]
const message = { type: 'message', data: 'a', id: undefined }

describe('fetch-sse: only the first BOM of a stream is removed', () => {
  const harness = useTransportHarness(fetchSseTransport)

  it.each(CASES)('%s', async (_, chunks) => {
    const recorded = harness.open({ fetch })
    const request = (await harness.server.nextRequest()).stream()
    for (const chunk of chunks) {
      const seen = recorded.activity
      await request.write(chunk)
      await recorded.until((r) => r.activity > seen, 'the chunk read on its own')
    }
    await request.write('data: end\n\n')
    await recorded.until((r) => r.events.length > 0 && r.events[r.events.length - 1].data === 'end', 'the last event')
    expect(recorded.events).toEqual([message, { ...message, data: 'end' }])
  })
})

describe.each<[string, () => TransportEnv]>([
  ['fetch', () => ({ fetch })],
  ['XMLHttpRequest', () => ({ XMLHttpRequest: createXhrShim().XMLHttpRequest })],
])('long-poll over %s: only the first BOM of each body is removed', (_, makeEnv) => {
  const harness = useTransportHarness(longPollTransport)

  it.each(CASES)('%s', async (__, chunks) => {
    const recorded = harness.open(makeEnv())
    const poll = (await harness.server.nextRequest()).stream()
    for (const chunk of chunks) await poll.write(chunk)
    await poll.end()
    await recorded.until((r) => r.events.length > 0, 'the event')
    expect(recorded.events).toEqual([message])
  })
})
