import type { Transport, TransportConnection, TransportRequest, TransportSink } from '../../src/types'

/** One connection opened through a {@link FakeTransport}, driven by the test. */
export interface FakeConnection extends TransportConnection {
  request: TransportRequest
  sink: TransportSink
  closed: boolean
  sent: string[]
  listened: string[]
}

export interface FakeTransport {
  transport: Transport
  opens: FakeConnection[]
  last(): FakeConnection
}

/** A transport whose connections the test opens, feeds and fails by hand. */
export function createFakeTransport(
  name = 'fake',
  traits: { seesComments?: boolean; supported?: boolean; canSend?: boolean } = {},
): FakeTransport {
  const opens: FakeConnection[] = []
  const transport: Transport = {
    name,
    seesComments: traits.seesComments,
    isSupported: () => traits.supported !== false,
    open(request, sink) {
      const connection: FakeConnection = {
        request,
        sink,
        closed: false,
        sent: [],
        listened: [],
        close() {
          connection.closed = true
        },
        send(data) {
          connection.sent.push(data)
        },
        canSend: () => !!traits.canSend && !connection.closed,
        listen(type) {
          connection.listened.push(type)
        },
      }
      opens.push(connection)
      return connection
    },
  }
  return {
    transport,
    opens,
    last() {
      const connection = opens[opens.length - 1]
      if (!connection) throw new Error(`${name} was never opened`)
      return connection
    },
  }
}
