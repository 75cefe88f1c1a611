// The demo's `GET /api/start` (where a new dashboard page resumes) with `redisUrl`, while a real
// redis-server is paused (it accepts connections, answers nothing) and while it is stopped: the
// page must get a clear answer soon, not wait with a blank dashboard. Over the built package
// (demo/app.mjs loads dist/), so it runs with the browser suite, without a browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemo, type RunningDemo } from '../../demo/app.mjs'
import { startRedis, type TestRedis } from '../helpers/redis-server'
import { within } from '../helpers/wait'
import { fetchText } from '../server/helpers'

const START_TIMEOUT_MS = 500

let redis: TestRedis
let demo: RunningDemo

beforeAll(async () => {
  redis = await startRedis()
  demo = await startDemo({ port: 0, redisUrl: redis.url, tickMs: 100, startTimeoutMs: START_TIMEOUT_MS })
})

afterAll(async () => {
  redis?.resume()
  await demo?.close()
  await redis?.close()
})

/** `GET /api/start`, answered within the deadline plus a margin for a loaded machine. */
async function start(): Promise<{ status: number; body: { lastEventId?: string; error?: string } }> {
  const reply = await within(fetchText(demo.port, '/api/start'), 'an answer from /api/start', START_TIMEOUT_MS + 3000)
  expect(reply.headers['content-type']).toBe('application/json; charset=utf-8')
  return { status: reply.status, body: JSON.parse(reply.body) }
}

describe('demo GET /api/start with Redis', () => {
  it('answers the resume point while Redis is up', async () => {
    expect(await start()).toEqual({ status: 200, body: { lastEventId: expect.any(String) } })
  })

  it('answers 503 with the reason when Redis does not answer, and the resume point once it does again', async () => {
    redis.pause()
    expect(await start()).toEqual({ status: 503, body: { error: `history unavailable: Redis did not answer within ${START_TIMEOUT_MS} ms` } })
    redis.resume()
    expect(await start()).toEqual({ status: 200, body: { lastEventId: expect.any(String) } })
  })

  it('answers 503 with the reason while Redis is stopped, and the resume point once it is back', async () => {
    await redis.stop('save')
    expect(await start()).toEqual({ status: 503, body: { error: expect.stringMatching(/^history unavailable: Redis did not answer/) } })
    await redis.start()
    let answer = await start()
    for (let attempt = 0; answer.status !== 200 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      answer = await start()
    }
    expect(answer).toEqual({ status: 200, body: { lastEventId: expect.any(String) } })
  })
})
