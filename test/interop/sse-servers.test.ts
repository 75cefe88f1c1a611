import { afterEach, describe, expect, it } from 'vitest'
import { startBetterSseServer, type BetterSseFixture } from './fixtures/better-sse-server'
import { startExpressRecipe, type ExpressRecipeFixture } from './fixtures/express-recipe'
import { recordClient } from './fixtures/recorded-client'
import { startSeed, type SeedProcess } from './fixtures/seed-process'

// pushwire against SSE servers it did not write, on loopback: an Express app built on
// better-sse with the `cors` middleware, the Express endpoint docs/servers.md shows, and the
// seed article's Express server.

let betterSse: BetterSseFixture | undefined
let recipe: ExpressRecipeFixture | undefined
let seed: SeedProcess | undefined

afterEach(async () => {
  await Promise.all([betterSse?.close(), recipe?.close(), seed?.stop()])
  betterSse = recipe = seed = undefined
})

const ids = (recorded: { messages: { id?: string }[] }) => recorded.messages.map((message) => message.id)

describe.each(['fetch-sse', 'eventsource'] as const)('better-sse server, %s', (transport) => {
  it('delivers events in order, named ones to their listeners, with ids and decoded JSON', async () => {
    betterSse = await startBetterSseServer()
    const recorded = recordClient({ url: betterSse.url, transports: [transport], decode: 'json' })
    const dishes: unknown[] = []
    recorded.client.on('dish', (message) => dishes.push(message.data))
    await recorded.until(() => recorded.client.state === 'open' && betterSse?.sessions === 1, 'the session')
    betterSse.publish({ hello: 1 })
    betterSse.publish({ name: 'mapo tofu' }, 'dish')
    await recorded.until(() => recorded.messages.length === 2, 'two events')
    expect(recorded.messages.map((message) => [message.type, message.data, message.id])).toEqual([
      ['message', { hello: 1 }, '1'],
      ['dish', { name: 'mapo tofu' }, '2'],
    ])
    expect(dishes).toEqual([{ name: 'mapo tofu' }])
    expect(recorded.errorCodes()).toEqual([])
  })

  it('resumes after a cut: what was published meanwhile arrives once, nothing repeats', async () => {
    // better-sse reads the resume point from the Last-Event-ID header (fetch-sse) or the
    // `lastEventId` query parameter (eventsource): pushwire's default name.
    betterSse = await startBetterSseServer()
    const recorded = recordClient({ url: betterSse.url, transports: [transport] })
    await recorded.until(() => betterSse?.sessions === 1, 'the session')
    betterSse.publish('a')
    betterSse.publish('b')
    await recorded.until(() => recorded.messages.length === 2, 'two events')
    betterSse.cut()
    betterSse.publish('c')
    betterSse.publish('d')
    await recorded.until(() => recorded.messages.length === 4, 'the replay')
    betterSse.publish('e')
    await recorded.until(() => recorded.messages.length === 5, 'the next live event')
    expect(recorded.data()).toEqual(['"a"', '"b"', '"c"', '"d"', '"e"'])
    expect(ids(recorded)).toEqual(['1', '2', '3', '4', '5'])
    expect(betterSse.resumedFrom).toEqual(['', '2'])
  })
})

describe.each(['fetch-sse', 'eventsource'] as const)('the Express recipe of docs/servers.md, %s', (transport) => {
  it('resumes after a cut, named events and all', async () => {
    recipe = await startExpressRecipe()
    const recorded = recordClient({ url: recipe.url, transports: [transport], decode: 'json' })
    // Native EventSource dispatches only the types somebody listens to ('*' alone sees 'message').
    recorded.client.on('dish', () => {})
    recorded.client.on('price', () => {})
    await recorded.until(() => recipe?.clients === 1, 'the connection')
    recipe.publish('dish', { name: 'mapo tofu' })
    await recorded.until(() => recorded.messages.length === 1, 'one event')
    recipe.cut()
    recipe.publish('dish', { name: 'kung pao' })
    recipe.publish('price', 38.5)
    await recorded.until(() => recorded.messages.length === 3, 'the replay')
    expect(recorded.messages.map((message) => [message.type, message.data, message.id])).toEqual([
      ['dish', { name: 'mapo tofu' }, '1'],
      ['dish', { name: 'kung pao' }, '2'],
      ['price', 38.5, '3'],
    ])
    expect(recipe.resumedFrom).toEqual(['', '1'])
  })
})

describe('a server that reads only the Last-Event-ID header', () => {
  it('fetch-sse resumes: the header carries the resume point', async () => {
    recipe = await startExpressRecipe({ headerOnly: true })
    const recorded = recordClient({ url: recipe.url, transports: ['fetch-sse'] })
    await recorded.until(() => recipe?.clients === 1, 'the connection')
    recipe.publish('message', 'a')
    await recorded.until(() => recorded.messages.length === 1, 'one event')
    recipe.cut()
    recipe.publish('message', 'b')
    await recorded.until(() => recorded.messages.length === 2, 'the replay')
    expect(recipe.resumedFrom).toEqual(['', '1'])
  })

  it('eventsource does not: native EventSource cannot send the header, so what came meanwhile is lost', async () => {
    recipe = await startExpressRecipe({ headerOnly: true })
    const recorded = recordClient({ url: recipe.url, transports: ['eventsource'] })
    await recorded.until(() => recipe?.clients === 1, 'the connection')
    recipe.publish('message', 'a')
    await recorded.until(() => recorded.messages.length === 1, 'one event')
    recipe.cut()
    await recorded.until(() => recipe?.clients === 0, 'the cut')
    recipe.publish('message', 'lost')
    await recorded.until(() => recipe?.clients === 1, 'the reconnect')
    recipe.publish('message', 'c')
    await recorded.until(() => recorded.messages.length === 2, 'the next live event')
    expect(recorded.data()).toEqual(['"a"', '"c"'])
    expect(recipe.resumedFrom).toEqual(['', ''])
  })
})

describe.each(['fetch-sse', 'eventsource'] as const)("the seed's Express SSE server, %s", (transport) => {
  it('delivers its JSON events as they come, one a second', async () => {
    seed = await startSeed('express-sse')
    const recorded = recordClient({ url: `http://127.0.0.1:${seed.port}/sse`, transports: [transport], decode: 'json' })
    await recorded.until(() => recorded.messages.length === 2, 'two events')
    for (const message of recorded.messages) {
      expect(message.type).toBe('message')
      expect(message.id).toBeUndefined()
      expect(message.data).toEqual({ message: expect.stringMatching(/^当前时间: /) })
    }
    expect(recorded.errorCodes()).toEqual([])
  })
})
