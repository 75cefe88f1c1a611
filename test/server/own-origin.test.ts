import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { ownOrigins } from '../../src/server/own-origin'

/** The parts of a request `ownOrigins` reads; `tls` for a connection that arrived over TLS. */
function request(headers: Record<string, string>, tls = false): IncomingMessage {
  return { headers, socket: { encrypted: tls } } as unknown as IncomingMessage
}

describe('ownOrigins', () => {
  it('on a TLS connection is the https origin only: an http:// page on the same host is foreign', () => {
    expect(ownOrigins(request({ host: 'app.example' }, true), false)).toEqual(['https://app.example'])
    expect(ownOrigins(request({ host: 'app.example:443' }, true), false)).toEqual(['https://app.example'])
  })

  it('on a plain connection is the http origin and, for a TLS-terminating proxy that keeps Host, the https one', () => {
    expect(ownOrigins(request({ host: 'app.example:8080' }), false)).toEqual(['http://app.example:8080', 'https://app.example:8080'])
  })

  it('reads the HTTP/2 :authority when there is no Host', () => {
    expect(ownOrigins(request({ ':authority': 'app.example' }, true), false)).toEqual(['https://app.example'])
  })

  it('is empty without a usable host, so every Origin is foreign', () => {
    expect(ownOrigins(request({}), false)).toEqual([])
    expect(ownOrigins(request({ host: 'app.example/evil' }), false)).toEqual([])
    expect(ownOrigins(request({ host: 'app.example:99999' }), false)).toEqual([])
    expect(ownOrigins(request({ host: 'app.example', forwarded: 'host=evil.example;proto=https' }), false)).toEqual([
      'http://app.example',
      'https://app.example',
    ])
  })

  it('with trustProxy, a proxy scheme it does not know leaves no origin, and a malformed Forwarded is ignored', () => {
    expect(ownOrigins(request({ host: 'app.example', 'x-forwarded-proto': 'ftp' }), true)).toEqual([])
    expect(ownOrigins(request({ host: 'app.example', forwarded: 'host=evil.example;;', 'x-forwarded-proto': 'https' }), true)).toEqual([
      'https://app.example',
    ])
  })
})
