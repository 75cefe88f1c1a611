import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSseReader } from '../../src/core/sse-reader'
import type { RecordedEvent } from '../helpers/recording-sink'

interface Read {
  events: RecordedEvent[]
  retries: number[]
  tooLarge: number
  feed(text: string): void
}

function reader(maxMessageBytes = 1 << 20): Read {
  const read: Read = {
    events: [],
    retries: [],
    tooLarge: 0,
    feed: (text) => sse.feed(text),
  }
  const sse = createSseReader(
    {
      event: (type, data, id) => read.events.push({ type, data, id }),
      retry: (ms) => read.retries.push(ms),
    },
    maxMessageBytes,
    () => read.tooLarge++,
  )
  return read
}

function readAll(chunks: string[], maxMessageBytes?: number): Read {
  const read = reader(maxMessageBytes)
  chunks.forEach(read.feed)
  return read
}

const message = (data: string, id?: string, type = 'message'): RecordedEvent => ({ type, data, id })

describe('createSseReader: the WHATWG parsing rules', () => {
  it.each([
    ['LF', '\n'],
    ['CR', '\r'],
    ['CRLF', '\r\n'],
  ])('ends lines on %s', (_name, eol) => {
    const read = readAll([`event: dish${eol}id: 7${eol}data: a${eol}data: b${eol}${eol}data: c${eol}${eol}`])
    expect(read.events).toEqual([message('a\nb', '7', 'dish'), message('c')])
  })

  it('dispatches at once when a CR ends a chunk, without waiting for a possible LF', () => {
    const read = reader()
    read.feed('data: now\r\r')
    expect(read.events).toEqual([message('now')])
  })

  it('reads a CRLF split across two chunks as one line end', () => {
    const read = readAll(['data: a\r', '\ndata: b\r', '\n\r', '\n'])
    expect(read.events).toEqual([message('a\nb')])
  })

  it('reads U+FEFF as part of a field name: the decoder has removed the one BOM a stream may start with', () => {
    // An unknown field `\uFEFFdata`, so `x` and `b` are never data.
    expect(readAll(['\uFEFFdata: x\n\ndata: a\n\n']).events).toEqual([message('a')])
    expect(readAll(['\uFEFF', 'data: x\n\ndata: a\n\n']).events).toEqual([message('a')])
    expect(readAll(['data: a\n\n\uFEFFdata: b\n\n']).events).toEqual([message('a')])
  })

  it('ignores comments', () => {
    const read = readAll([':ok\n\n: heartbeat\ndata: x\n: between\n\n'])
    expect(read.events).toEqual([message('x')])
  })

  it("types an event with an empty `event:` as 'message'", () => {
    expect(readAll(['event:\ndata: x\n\n']).events).toEqual([message('x')])
  })

  it('strips one space after the colon and keeps the rest', () => {
    expect(readAll(['data:x\n\ndata:  y\n\n']).events).toEqual([message('x'), message(' y')])
  })

  it('ignores an id that contains NULL', () => {
    expect(readAll(['id: a\u0000b\ndata: x\n\n']).events).toEqual([message('x')])
  })

  it('reports a numeric retry and ignores a bogus one', () => {
    const read = readAll(['retry: 1x\nretry: -5\nretry:\nretry: 2500\n\n'])
    expect(read.retries).toEqual([2500])
    expect(read.events).toEqual([])
  })

  it('reads a field without a colon as a field with an empty value', () => {
    expect(readAll(['data\n\n']).events).toEqual([message('')])
    expect(readAll(['data\ndata\n\n']).events).toEqual([message('\n')])
  })

  it('does not dispatch an event without data, nor an unterminated last event', () => {
    const read = readAll(['event: dish\nid: 3\n\n', 'data: complete\n\n', 'data: cut off\n'])
    expect(read.events).toEqual([message('complete')])
  })
})

describe('createSseReader: maxMessageBytes', () => {
  it('reports tooLarge once for an over-long line arriving in pieces, and nothing after', () => {
    const read = readAll(['data: ', 'x'.repeat(60), 'x'.repeat(60), '\n\ndata: later\n\n'], 100)
    expect(read.tooLarge).toBe(1)
    expect(read.events).toEqual([])
  })

  it('reports tooLarge for an over-long line inside one chunk', () => {
    const read = readAll([`data: ${'x'.repeat(200)}\n\ndata: later\n\n`], 100)
    expect(read.tooLarge).toBe(1)
    expect(read.events).toEqual([])
  })

  it('reports tooLarge for an event of many small data lines, chunk by chunk', () => {
    const read = readAll([...Array.from({ length: 30 }, () => 'data: 12345\n'), '\n', 'data: later\n\n'], 100)
    expect(read.tooLarge).toBe(1)
    expect(read.events).toEqual([])
  })

  it('reports tooLarge for an event of many small data lines inside one chunk', () => {
    const read = readAll(['data: 12345\n'.repeat(30) + '\ndata: later\n\n'], 100)
    expect(read.tooLarge).toBe(1)
    expect(read.events).toEqual([])
  })

  it('lets an event of exactly the limit through', () => {
    const read = readAll([`data: ${'x'.repeat(50)}\n\n`], 50)
    expect(read.tooLarge).toBe(0)
    expect(read.events).toEqual([message('x'.repeat(50))])
  })
})

// ---- property: chunking never changes what is read ----

interface Line {
  text: string
  eol: '\n' | '\r' | '\r\n'
}

const safeText = fc.string({ maxLength: 12 }).map((s) => s.replace(/[\r\n\u0000]/g, '_'))
const fieldValue = fc.oneof(safeText, fc.constantFrom('ü', '水', '😀', 'x y'))
const eol = fc.constantFrom<Line['eol']>('\n', '\r', '\r\n')

interface StreamEvent {
  type?: string
  id?: string
  data: string[]
  comment?: string
}

interface StreamInput {
  bom: boolean
  events: StreamEvent[]
  eols: fc.Stream<Line['eol']>
}

const sseEvent: fc.Arbitrary<StreamEvent> = fc.record({
  type: fc.option(fc.stringMatching(/^[a-z:]{1,8}$/), { nil: undefined }),
  id: fc.option(fieldValue, { nil: undefined }),
  data: fc.array(fieldValue, { minLength: 1, maxLength: 3 }),
  comment: fc.option(safeText, { nil: undefined }),
})

const stream: fc.Arbitrary<StreamInput> = fc.record({
  bom: fc.boolean(),
  events: fc.array(sseEvent, { maxLength: 6 }),
  eols: fc.infiniteStream(eol),
})

function serialize(input: StreamInput): { text: string; expected: RecordedEvent[] } {
  const lines: Line[] = []
  const eols = input.eols
  const push = (text: string): void => {
    let end = eols.next().value as Line['eol']
    // CR then an empty line ended by LF is CRLF: one line end, not two.
    const previous = lines[lines.length - 1]
    if (text === '' && end === '\n' && previous && previous.eol === '\r') end = '\r\n'
    lines.push({ text, eol: end })
  }
  const expected: RecordedEvent[] = []
  input.events.forEach((event) => {
    if (event.comment !== undefined) push(`:${event.comment}`)
    if (event.type !== undefined) push(`event: ${event.type}`)
    if (event.id !== undefined) push(`id: ${event.id}`)
    event.data.forEach((data) => push(`data: ${data}`))
    push('')
    expected.push({ type: event.type || 'message', data: event.data.join('\n'), id: event.id })
  })
  const text = (input.bom ? '\uFEFF' : '') + lines.map((line) => line.text + line.eol).join('')
  return { text, expected }
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
  const chunks: string[] = []
  let from = 0
  points.forEach((point) => {
    chunks.push(text.slice(from, point))
    from = point
  })
  chunks.push(text.slice(from))
  return chunks
}

describe('createSseReader: chunking does not matter (property)', () => {
  it('reads the same events whole, one character at a time, and in random chunks', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (input, cuts) => {
        // Decoded text: the decoder has taken the BOM (see the next property).
        const { text, expected } = serialize({ ...input, bom: false })
        expect(readAll([text]).events).toEqual(expected)
        expect(readAll(text.split('')).events).toEqual(expected)
        expect(readAll(splitAt(text, cuts)).events).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })

  it('reads the same events from UTF-8 bytes (BOM or not) split at any boundary and decoded in stream mode', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (input, cuts) => {
        const { text, expected } = serialize(input)
        const bytes = new TextEncoder().encode(text)
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
        const decoder = new TextDecoder()
        const read = reader()
        let from = 0
        points.concat(bytes.length).forEach((point) => {
          read.feed(decoder.decode(bytes.subarray(from, point), { stream: true }))
          from = point
        })
        read.feed(decoder.decode())
        expect(read.events).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})
