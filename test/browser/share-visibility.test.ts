import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchBrowser, type LaunchedBrowser } from './chromium'
import { startFixtureServer, STREAM_PATH, type FixtureServer } from './fixture-server'
import { openShareTab, theLeader, type ShareTab } from './share-tabs'
import { FAST_RETRY } from './stream-helpers'
import { expectedIds, waitFor } from './test-page'

// Tabs here can really be hidden: each has its own window, minimised through CDP (see
// `LaunchOptions.realVisibility` for why playwright's own launch cannot do that).

let browser: LaunchedBrowser
let fixture: FixtureServer

beforeAll(async () => {
  ;[browser, fixture] = await Promise.all([launchBrowser({ realVisibility: true }), startFixtureServer()])
})
afterAll(async () => {
  await Promise.all([browser && browser.close(), fixture && fixture.close()])
})

async function ids(tab: ShareTab): Promise<Array<string | undefined>> {
  return (await tab.messages()).map((message) => message[0])
}

it('with pauseWhenHidden, pauses the shared connection only while every tab is hidden', async () => {
  await fixture.resetPush()
  const tabs = [await openShareTab(await browser.newWindow(), fixture), await openShareTab(await browser.newWindow(), fixture)]
  for (const tab of tabs) await tab.open({ url: STREAM_PATH, retry: FAST_RETRY, pauseWhenHidden: true })
  await Promise.all(tabs.map((tab) => tab.waitForState('open')))
  const leader = await theLeader(tabs)
  const follower = tabs.find((tab) => tab !== leader) as ShareTab
  const publish = (from: number, to: number) => {
    for (let n = from; n <= to; n++) fixture.push.publish({ data: `message ${n}` })
  }
  publish(1, 3)

  // The leader's tab hidden, the follower's visible: the connection stays.
  await leader.setHidden(true)
  publish(4, 6)
  await Promise.all(tabs.map((tab) => tab.waitForMessages(6)))
  expect(fixture.openConnections()).toBe(1)

  // Every tab hidden: paused, in every tab.
  await follower.setHidden(true)
  await Promise.all(tabs.map((tab) => tab.waitForState('idle')))
  await waitFor(() => fixture.openConnections() === 0, 'the stream to end')
  publish(7, 9)

  // One tab back: the connection resumes where it stopped, for both.
  await follower.setHidden(false)
  await Promise.all(tabs.map((tab) => tab.waitForMessages(9)))
  for (const tab of tabs) expect(await ids(tab)).toEqual(expectedIds(1, 9))
  expect(fixture.peakConnections()).toBe(1)
  await leader.setHidden(false)
  for (const tab of tabs) expect(tab.unexpectedErrors()).toEqual([])
  await Promise.all(tabs.map((tab) => tab.page.close()))
})
