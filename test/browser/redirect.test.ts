import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TransportName } from '../../src/index'
import { STREAM_PATH } from './fixture-server'
import { forced } from './stream-helpers'
import { useBrowserSuite } from './suite'
import { waitFor } from './test-page'

// The stream path answers 307 to a second origin (another loopback port) that would accept
// anything: CORS for any header, an event stream for a GET, 200 for a POST. With `headers` set
// the client must not follow, so the header never arrives there; without, it follows.

const suite = useBrowserSuite()
const HEADER_TRANSPORTS: TransportName[] = ['fetch-sse', 'long-poll']
const SECRET_HEADERS = { 'X-Token': 'secret' }

let elsewhere: Server
let elsewhereOrigin: string
let seenElsewhere: Array<{ method: string | undefined; headers: IncomingHttpHeaders }>

beforeAll(async () => {
  elsewhere = createServer((req, res) => {
    seenElsewhere.push({ method: req.method, headers: req.headers })
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Allow-Methods': 'GET, POST',
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
    if (req.method === 'POST') return void res.writeHead(200, cors).end()
    res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
    res.write(':ok\n\n')
  })
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve))
  elsewhereOrigin = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`
})

afterAll(async () => {
  elsewhere.closeAllConnections()
  await new Promise((resolve) => elsewhere.close(resolve))
})

beforeEach(async () => {
  seenElsewhere = []
  await suite.fixture.resetPush({ onMessage: () => {} })
  suite.fixture.redirectTo(elsewhereOrigin + STREAM_PATH)
})

describe('a redirect to another origin', () => {
  describe.each(HEADER_TRANSPORTS)('[%s] with headers', (transport) => {
    it('is not followed: the stream fails with a clear error and the header never arrives there', async () => {
      await suite.tab.open({ bundle: 'umd' }, forced(transport, { headers: SECRET_HEADERS }))
      await suite.tab.waitForStatus({ state: 'reconnecting', code: 'http' })
      const status = (await suite.tab.statuses()).find((entry) => entry.code === 'http')!
      expect(status.message).toMatch(/^redirect from GET http:\/\/127\.0\.0\.1:\d+\/stream\S* not followed: headers are set$/)
      expect(seenElsewhere).toEqual([])
    })

    it('is not followed by send(): it rejects and the header never arrives there', async () => {
      await suite.tab.open({ bundle: 'umd' }, forced(transport, { headers: SECRET_HEADERS, lazy: true }))
      const outcome = await suite.tab.send('hello')
      expect(outcome).toMatch(/^error: http redirect from POST http:\/\/127\.0\.0\.1:\d+\/stream not followed: headers are set$/)
      expect(seenElsewhere).toEqual([])
    })
  })

  it('is followed without headers (so the test would see a leak)', async () => {
    await suite.tab.open({ bundle: 'umd' }, forced('fetch-sse'))
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    await waitFor(() => seenElsewhere.length > 0, 'the followed request')
    expect(seenElsewhere[0]).toMatchObject({ method: 'GET', headers: { accept: 'text/event-stream' } })
  })
})
