import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitAtEvents } from '../../src/server/event-frames'
import { encodeEvent } from '../../src/server/sse-encoding'

const eventArbitrary = fc.record({
  event: fc.option(fc.constantFrom('dish', 'order'), { nil: undefined }),
  id: fc.option(fc.integer({ min: 1, max: 1e6 }).map(String), { nil: undefined }),
  data: fc.string({ unit: fc.constantFrom('a', 'é', '\n', '\r\n', ' ', ':'), maxLength: 300 }),
})

describe('splitAtEvents', () => {
  it('cuts only where events end, each piece within the bound unless it is one event alone', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 40 }), fc.integer({ min: 8, max: 2000 }), (events, maxBytes) => {
        const encoded = events.map((event) => encodeEvent(event))
        const payload = Buffer.from(encoded.join(''))
        const pieces = splitAtEvents(payload, maxBytes)
        expect(Buffer.concat(pieces).equals(payload)).toBe(true)
        const eventEnds = new Set<number>()
        let offset = 0
        for (const text of encoded) eventEnds.add((offset += Buffer.byteLength(text)))
        let end = 0
        for (const piece of pieces) {
          const start = end
          end += piece.length
          expect(eventEnds.has(end)).toBe(true)
          // Over the bound only as one event alone: no event ends inside it.
          if (piece.length > maxBytes) for (let at = start + 1; at < end; at++) expect(eventEnds.has(at)).toBe(false)
        }
      }),
    )
  })

  it('fills each piece up to the bound exactly', () => {
    // Events of 10 bytes each.
    const payload = Buffer.from(['a1', 'b2', 'c3', 'd4', 'e5'].map((data) => encodeEvent({ data })).join(''))
    const texts = (maxBytes: number) => splitAtEvents(payload, maxBytes).map(String)
    expect(texts(20)).toEqual(['data: a1\n\ndata: b2\n\n', 'data: c3\n\ndata: d4\n\n', 'data: e5\n\n'])
    expect(texts(29)).toEqual(texts(20))
    expect(texts(19)).toEqual(['data: a1\n\n', 'data: b2\n\n', 'data: c3\n\n', 'data: d4\n\n', 'data: e5\n\n'])
    expect(texts(4)).toEqual(texts(19))
  })

  it('hands back a payload within the bound as it is', () => {
    const payload = Buffer.from(encodeEvent({ data: 'a' }) + encodeEvent({ data: 'b' }))
    expect(splitAtEvents(payload, payload.length)).toEqual([payload])
  })
})
