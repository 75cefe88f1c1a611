// Type-level tests (see event-map.test-d.ts): the WebSocket options reach every wrapper, and a
// websocketFormat function is held to the message shape.
import { describe, expectTypeOf, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'
import { createPushClient, type PushClientOptions, type WebSocketFormat, type WebSocketMessage } from '../../src/index'
import { usePush as useReactPush, usePushClient } from '../../src/react/index'
import { pushClient } from '../../src/svelte/index'
import { usePush as useVuePush } from '../../src/vue/index'

const numbered: WebSocketFormat = (frame) => {
  const { seq, type, data } = JSON.parse(frame) as { seq?: number; type: string; data: unknown }
  return seq === undefined ? null : { type, data, id: String(seq) }
}

const options: PushClientOptions = {
  url: '/live',
  transports: ['websocket'],
  websocketFormat: numbered,
  websocketProtocols: ['access_token', 'abc'],
}

describe('websocketFormat and websocketProtocols', () => {
  it('are options of the core and of each wrapper', () => {
    createPushClient(options)
    createPushClient({ url: '/chat', websocketFormat: 'text', websocketProtocols: 'chat.v1', decode: 'json' })
    usePushClient(options)
    useReactPush(options, 'dish')
    useVuePush(() => options)
    pushClient(options)
  })

  it("take the ws package's WebSocket class as the WebSocket implementation, without a cast", () => {
    createPushClient({ url: 'http://127.0.0.1:8080/stream', WebSocket: NodeWebSocket })
    class Counter {
      constructor(readonly start: number) {}
    }
    // @ts-expect-error a class that is not constructed from a URL is no WebSocket
    createPushClient({ url: 'http://127.0.0.1:8080/stream', WebSocket: Counter })
  })

  it('take the three forms and nothing else', () => {
    expectTypeOf<'sse'>().toMatchTypeOf<WebSocketFormat>()
    expectTypeOf<'text'>().toMatchTypeOf<WebSocketFormat>()
    // @ts-expect-error 'json' is a decode, not a format
    createPushClient({ url: '/live', websocketFormat: 'json' })
    // @ts-expect-error the function returns a message or null
    createPushClient({ url: '/live', websocketFormat: (frame: string) => frame })
    // @ts-expect-error an id is a string
    const message: WebSocketMessage = { data: 1, id: 41 }
    expectTypeOf(message.data).toBeUnknown()
    // @ts-expect-error protocols are strings
    createPushClient({ url: '/live', websocketProtocols: [1] })
  })
})
