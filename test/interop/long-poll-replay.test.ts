import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { closeServer, listenOnLoopback } from './fixtures/listen'
import { recordClient } from './fixtures/recorded-client'

// A long-poll server that answers every poll with more than it was asked for: each answer
// starts a few events before the client's `lastEventId`, so consecutive answers overlap.

const TOTAL = 40
let server: Server | undefined
const asked: string[] = []

afterEach(async () => {
  if (server) await closeServer(server)
  server = undefined
  asked.length = 0
})

function encode(id: number): string {
  return `id: ${id}\nevent: tick\ndata: ${id}\n\n`
}

/** Events `from`..`to` (capped at TOTAL) as one poll's body. */
function range(from: number, to: number): string {
  let body = ''
  for (let id = Math.max(1, from); id <= Math.min(to, TOTAL); id++) body += encode(id)
  return body
}

async function startOverlappingLongPoll(overlap: number): Promise<string> {
  server = createServer((req, res) => {
    const last = new URL(req.url || '/', 'http://localhost').searchParams.get('lastEventId')
    asked.push(last || '')
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    if (last === null) return void res.end(range(1, 5))
    const after = Number(last)
    // Nothing new: hold the poll a little, as a long-poll server does, then answer empty.
    if (after >= TOTAL) return void setTimeout(() => res.end(), 50)
    res.end(range(after + 1 - overlap, after + 7))
  })
  const { port } = await listenOnLoopback(server)
  return `http://127.0.0.1:${port}/poll`
}

describe('long-poll against a server that replays overlapping ranges', () => {
  it.each([1, 3, 6])('delivers every event exactly once with an overlap of %i', async (overlap) => {
    const url = await startOverlappingLongPoll(overlap)
    const recorded = recordClient({ url, transports: ['long-poll'] })
    await recorded.until(() => recorded.client.lastEventId === String(TOTAL), 'the last event')
    const ids = recorded.messages.map((message) => message.id)
    expect(ids).toEqual(Array.from({ length: TOTAL }, (_, index) => String(index + 1)))
    // The server did send the overlap: what the client asked for shows it.
    expect(asked.slice(0, 3)).toEqual(['', '5', String(5 + 7)])
  })
})
