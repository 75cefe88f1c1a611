// Cross-site WebSocket hijacking and CSRF in Chromium. A page on another port of the same host
// is another origin but the same site, so the browser sends even a SameSite=Strict session
// cookie with its WebSocket upgrade and its `no-cors` POST: only the server's Origin check
// stands between that page and the victim's stream. The same script on the server's own
// origin is the control: it must still work.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STREAM_PATH } from './fixture-server'
import { useBrowserSuite } from './suite'

const suite = useBrowserSuite()

const SECRET = 'the victim’s inbox'

type Attack = 'websocket' | 'post-text' | 'post-form'

// What an attacker's page runs: read the stream over a raw WebSocket, or POST a simple body
// (no preflight) with the user's cookies. Each outcome is an <li> in #attack-log.
const ATTACK_SCRIPT = `(function () {
  var params = new URLSearchParams(location.search)
  var target = params.get('target')
  var attack = params.get('attack')
  var list = document.createElement('ol')
  list.id = 'attack-log'
  document.body.appendChild(list)
  function log(line) {
    var item = document.createElement('li')
    item.textContent = line
    list.appendChild(item)
  }
  if (attack === 'websocket') {
    var ws = new WebSocket(target.replace(/^http/, 'ws') + '${STREAM_PATH}?lastEventId=0')
    ws.onopen = function () { log('open') }
    ws.onmessage = function (event) { log('frame ' + event.data) }
    ws.onclose = function (event) { log('closed ' + event.code) }
    return
  }
  var body = attack === 'post-form' ? new URLSearchParams({ message: 'forged' }) : 'forged message'
  fetch(target + '${STREAM_PATH}', { method: 'POST', mode: 'no-cors', credentials: 'include', body: body })
    .then(function () { log('answered') }, function (error) { log('failed ' + error) })
})()`

const ATTACK_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head>' +
  `<body><script>${ATTACK_SCRIPT}</script></body></html>`

/** The second origin: another port on 127.0.0.1, serving nothing but the attack page. */
let sibling: Server
let siblingOrigin: string

beforeAll(async () => {
  sibling = createServer((req, res) => {
    if (new URL(req.url || '/', 'http://sibling').pathname !== '/attack.html') return void res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(ATTACK_PAGE)
  })
  await new Promise<void>((resolve) => sibling.listen(0, '127.0.0.1', resolve))
  siblingOrigin = `http://127.0.0.1:${(sibling.address() as AddressInfo).port}`
  // The victim is logged in to the push server's origin. Cookies ignore ports, and both
  // origins are one site, so even SameSite=Strict does not keep this cookie from the sibling.
  await suite.browser.context.addCookies([{ name: 'session', value: 'victim', url: suite.fixture.origin, sameSite: 'Strict', httpOnly: true }])
})

afterAll(async () => {
  sibling.closeAllConnections()
  await new Promise((resolve) => sibling.close(resolve))
})

/** A fresh push server for the logged-in victim, holding a secret event; returns what `onMessage` receives. */
async function victimServer(): Promise<string[]> {
  const received: string[] = []
  await suite.fixture.resetPush({
    authorize: (req) => (req.headers.cookie || '').split(/;\s*/).indexOf('session=victim') !== -1,
    onMessage: (data) => void received.push(data),
  })
  suite.fixture.push.publish({ event: 'secret', data: SECRET })
  return received
}

/**
 * Runs `attack` from a page on the sibling origin, or on the server's own origin (the
 * fixture's test page, with the attack script added), and resolves with the page's log once
 * it shows `done`.
 */
async function runAttack(from: 'sibling' | 'own', attack: Attack, done: RegExp): Promise<string[]> {
  const { page } = suite.tab
  const params = new URLSearchParams({ attack, target: suite.fixture.origin })
  if (from === 'sibling') {
    await page.goto(`${siblingOrigin}/attack.html?${params}`)
  } else {
    await page.goto(`${suite.fixture.pageUrl({ bundle: 'umd' })}&${params}`)
    await page.addScriptTag({ content: ATTACK_SCRIPT })
  }
  await page.locator('#attack-log > li', { hasText: done }).first().waitFor({ state: 'attached' })
  return page.locator('#attack-log > li').allTextContents()
}

describe('a page on a sibling origin (another port, same site) with the victim’s cookie', () => {
  it('cannot read the stream over new WebSocket(): the upgrade is refused, no frame arrives', async () => {
    await victimServer()
    suite.tab.errors.allowNetworkError(/WebSocket connection to .* failed/)
    // Done when the socket closes, or when the secret shows up (then the log says how the attack went).
    const log = await runAttack('sibling', 'websocket', /^closed|event: secret/)
    expect(log).toEqual(['closed 1006'])
    // The attack was real: the browser did send the session cookie, from the sibling's origin.
    const upgrades = suite.fixture.requests.filter((request) => request.transport === 'websocket')
    expect(upgrades).toHaveLength(1)
    expect(upgrades[0].headers).toMatchObject({ origin: siblingOrigin, cookie: 'session=victim' })
  })

  it.each<Attack>(['post-text', 'post-form'])('cannot reach onMessage with a no-cors POST (%s)', async (attack) => {
    const received = await victimServer()
    suite.tab.errors.allowNetworkError(/status of 403/)
    // An opaque answer: the page cannot tell a 403 from a 204, so it finishes either way.
    expect(await runAttack('sibling', attack, /^answered|^failed/)).toEqual(['answered'])
    expect(received).toEqual([])
  })
})

describe('the same script on the server’s own origin', () => {
  it('reads the stream over new WebSocket()', async () => {
    await victimServer()
    const log = await runAttack('own', 'websocket', /secret/)
    expect(log[0]).toBe('open')
    expect(log.join('\n')).toContain(`event: secret\nid: 1\ndata: ${SECRET}`)
  })

  it.each<[Attack, string]>([
    ['post-text', 'forged message'],
    ['post-form', 'message=forged'],
  ])('reaches onMessage with a POST (%s)', async (attack, body) => {
    const received = await victimServer()
    expect(await runAttack('own', attack, /^answered|^failed/)).toEqual(['answered'])
    // The server answers a POST once onMessage is done.
    expect(received).toEqual([body])
  })
})
