import { describe, expect, it } from 'vitest'
import type { TransportName } from '../../src/index'
import { STREAM_PATH } from './fixture-server'
import { FAST_RETRY, TRANSPORTS } from './stream-helpers'
import { useBrowserSuite } from './suite'

// What `client.on('*', …)` hears, as docs/getting-started.md and docs/frameworks.md tell it.
const suite = useBrowserSuite()

/** Three events: one without a type, one type somebody listens to by name, one nobody does. */
function publishThree(): void {
  suite.fixture.push.publish({ data: 'plain' })
  suite.fixture.push.publish({ event: 'dish', data: 'pho' })
  suite.fixture.push.publish({ event: 'order', data: 'table 4' })
  // Seen by every transport: when it arrives, everything before it has been read.
  suite.fixture.push.publish({ data: 'last' })
}

describe("'*' on the default transport", () => {
  it('hears every event type, none listened to by name, over fetch-sse', async () => {
    await suite.fixture.resetPush()
    await suite.tab.open({ bundle: 'umd' }, { options: { url: STREAM_PATH, retry: FAST_RETRY } })
    await suite.tab.waitForStatus({ state: 'open', transport: 'fetch-sse' })
    publishThree()
    const messages = await suite.tab.waitForMessages(4)
    expect(messages.map((message) => [message.type, message.data, message.transport])).toEqual([
      ['message', 'plain', 'fetch-sse'],
      ['dish', 'pho', 'fetch-sse'],
      ['order', 'table 4', 'fetch-sse'],
      ['message', 'last', 'fetch-sse'],
    ])
  })
})

describe.each(TRANSPORTS)("'*' over %s", (transport: TransportName) => {
  it("hears pushwire:reset, 'message', and the types it should", async () => {
    await suite.fixture.resetPush()
    // A resume point this fresh server never gave out: it answers with pushwire:reset first.
    const options = { url: STREAM_PATH, transports: [transport], retry: FAST_RETRY, lastEventId: 'unknown' }
    await suite.tab.open({ bundle: 'umd' }, { options, setup: { types: ['dish'] } })
    await suite.tab.waitForStatus({ state: 'open', transport })
    publishThree()
    await suite.tab.page.locator('#messages > li[data-type="message"]', { hasText: 'last' }).waitFor({ state: 'attached' })
    const types = (await suite.tab.messages()).map((message) => message.type)
    // Native EventSource dispatches only the types somebody listens to by name.
    const heard = transport === 'eventsource' ? ['message', 'dish', 'message'] : ['message', 'dish', 'order', 'message']
    expect(types).toEqual(['pushwire:reset', ...heard])
  })
})
