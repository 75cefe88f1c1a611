import type { IncomingMessage } from 'node:http'

/**
 * A host as `Host` carries it: a name or IPv4 address, or a bracketed IPv6 address, and an
 * optional port. Anything else (userinfo, a path, a second host) would let URL parsing pick
 * a host the browser never addressed.
 */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#@\\[\]:,;"]+)(?::\d{1,5})?$/
// One `name=value` pair of RFC 7239 `Forwarded`, value a token or a quoted string, and what follows it.
const FORWARDED_PAIR = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=("(?:[^"\\]|\\.)*"|[^\s;,"]*)\s*([;,]|$)/y

/** The host and scheme a proxy says the browser used. */
interface ProxyView {
  host?: string
  proto?: string
}

/** The leftmost entry of a comma-separated header: what the proxy nearest the browser wrote. */
function leftmost(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  const entry = raw === undefined ? '' : raw.split(',')[0].trim()
  return entry === '' ? undefined : entry
}

/** `host` and `proto` of the first element of an RFC 7239 `Forwarded` header; nothing when it is malformed. */
function parseForwarded(header: string): ProxyView {
  const view: ProxyView = {}
  FORWARDED_PAIR.lastIndex = 0
  while (FORWARDED_PAIR.lastIndex < header.length) {
    const pair = FORWARDED_PAIR.exec(header)
    if (!pair) return {}
    const name = pair[1].toLowerCase()
    const value = pair[2].charAt(0) === '"' ? pair[2].slice(1, -1).replace(/\\(.)/g, '$1') : pair[2]
    if ((name === 'host' || name === 'proto') && view[name] === undefined && value !== '') view[name] = value
    if (pair[3] !== ';') break
  }
  return view
}

/** What a proxy in front of the server says about the browser's request (`Forwarded` first, then `X-Forwarded-*`). */
function proxyView(req: IncomingMessage): ProxyView {
  const forwarded = req.headers.forwarded === undefined ? {} : parseForwarded(req.headers.forwarded)
  return {
    host: forwarded.host ?? leftmost(req.headers['x-forwarded-host']),
    proto: forwarded.proto ?? leftmost(req.headers['x-forwarded-proto']),
  }
}

/** `scheme://host` serialised as browsers write `Origin` (lowercase host, no default port), or nothing. */
function originOf(scheme: 'http' | 'https', host: string): string | undefined {
  if (!HOST_VALUE.test(host)) return undefined
  try {
    return new URL(`${scheme}://${host}`).origin
  } catch {
    return undefined
  }
}

/** The scheme a proxy names; WebSocket schemes count as their HTTP counterparts. */
function schemeOf(proto: string): 'http' | 'https' | undefined {
  const lower = proto.toLowerCase()
  if (lower === 'http' || lower === 'ws') return 'http'
  if (lower === 'https' || lower === 'wss') return 'https'
  return undefined
}

/**
 * The origins a request counts as same-origin with: the scheme and `Host` the browser
 * addressed, or, with `trustProxy`, the host and scheme the proxy in front says it addressed
 * (`Forwarded`, else `X-Forwarded-Host` / `X-Forwarded-Proto`; each falls back to `Host` and
 * the connection when the proxy does not send it). Empty when the host is missing or malformed.
 */
export function ownOrigins(req: IncomingMessage, trustProxy: boolean): string[] {
  const proxy: ProxyView = trustProxy ? proxyView(req) : {}
  // HTTP/2 carries the host in `:authority`; Node's compatibility layer leaves `host` unset then.
  const host = proxy.host ?? req.headers.host ?? leftmost(req.headers[':authority'])
  if (host === undefined) return []
  let schemes: Array<'http' | 'https'>
  if (proxy.proto !== undefined) {
    const scheme = schemeOf(proxy.proto)
    schemes = scheme ? [scheme] : []
  } else if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted) {
    schemes = ['https']
  } else {
    // A plain connection may be HTTPS at a proxy that terminates TLS without saying so, so the
    // https origin of the same host counts too. Never the other way round: an http:// page can
    // be injected by anyone on the network path, so a TLS server does not trust one.
    schemes = ['http', 'https']
  }
  const origins: string[] = []
  schemes.forEach((scheme) => {
    const origin = originOf(scheme, host)
    if (origin !== undefined) origins.push(origin)
  })
  return origins
}
