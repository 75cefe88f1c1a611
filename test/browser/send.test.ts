import { describe, expect, it } from 'vitest'
import type { TransportName } from '../../src/index'
import type { IncomingMessageInfo } from '../../src/server'
import { STREAM_PATH } from './fixture-server'
import { forced } from './stream-helpers'
import { useBrowserSuite } from './suite'
import { waitFor } from './test-page'

const suite = useBrowserSuite()

// Only fetch-sse and long-poll can send headers, so with `headers` set the client uses only those.
const HEADER_TRANSPORTS: TransportName[] = ['fetch-sse', 'long-poll']
const USER_HEADERS = { 'X-Pushwire-Test': 'from the page' }

/** What the server's `onMessage` was called with, in call order. */
interface Received {
  data: string
  transport: IncomingMessageInfo['transport']
  method: string | undefined
  path: string
  contentType: string | undefined
  userHeader: string | string[] | undefined
}

/** A fresh push server whose `onMessage` records every call. */
async function recordMessages(): Promise<Received[]> {
  const received: Received[] = []
  await suite.fixture.resetPush({
    onMessage(data, { transport, req }) {
      const { method, headers } = req
      const path = new URL(req.url || '', 'http://fixture').pathname
      received.push({ data, transport, method, path, contentType: headers['content-type'], userHeader: headers['x-pushwire-test'] })
    },
  })
  return received
}

/** Sends each text in turn, each after the previous one settled, and expects every one to succeed. */
async function sendInTurn(texts: string[]): Promise<void> {
  for (const text of texts) expect(await suite.tab.send(text)).toBe('ok')
}

const TEXTS = ['first', '{"n":2}', 'third: ünïcödé']

describe('send()', () => {
  it('[websocket] goes up the open socket as text frames, in order', async () => {
    const received = await recordMessages()
    await suite.tab.open({ bundle: 'umd' }, forced('websocket'))
    await suite.tab.waitForStatus({ state: 'open', transport: 'websocket' })
    await sendInTurn(TEXTS)
    await waitFor(() => received.length === TEXTS.length, `${TEXTS.length} messages at the server`)
    // Frames on the upgraded connection (its request is the GET upgrade), no POST.
    expect(received).toEqual(TEXTS.map((data) => expect.objectContaining({ data, transport: 'websocket', method: 'GET' })))
    expect(suite.tab.requests.filter((request) => request.kind === 'fetch' || request.kind === 'xhr')).toEqual([])
  })

  describe.each(HEADER_TRANSPORTS)('[%s]', (transport) => {
    it("is a POST of the text to the stream URL, with the user's headers", async () => {
      const received = await recordMessages()
      await suite.tab.open({ bundle: 'umd' }, forced(transport, { headers: USER_HEADERS }))
      await suite.tab.waitForStatus({ state: 'open', transport })
      await sendInTurn(TEXTS)
      // A POST is answered once onMessage is done: all three are in by now.
      expect(received).toEqual(
        TEXTS.map((data) => ({
          data,
          transport: 'http',
          method: 'POST',
          path: STREAM_PATH,
          contentType: 'text/plain;charset=UTF-8',
          userHeader: USER_HEADERS['X-Pushwire-Test'],
        })),
      )
    })
  })
})
