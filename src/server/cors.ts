import type { IncomingMessage, ServerResponse } from 'node:http'
import { problem, type HttpProblem } from './http-reply'
import type { ResolvedServerOptions } from './options'
import { ownOrigins } from './own-origin'

/** Request headers the client may send: resume point, auth, body type, cache control. */
const BASE_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Last-Event-ID', 'Cache-Control']
const HEADER_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
/**
 * Request headers no page may send cross-origin, whatever it asks: what a proxy says about the
 * request (with `trustProxy`, `X-Forwarded-Host: <this server>` would pass a foreign page off
 * as the server's own origin, and its POSTs would reach onMessage), and hop-by-hop headers,
 * which are the connection's, not the page's.
 */
const NEVER_ALLOWED_HEADER = /^(?:forwarded|x-forwarded-.*|x-real-ip|via|connection|keep-alive|proxy-.*|te|trailers?|transfer-encoding|upgrade|host)$/i
const PREFLIGHT_MAX_AGE_S = '600'

/** Cross-origin handling for one server. */
export interface Cors {
  /**
   * Refuses (403) a request that browsers send from any page with the user's cookies and
   * without asking CORS first: a WebSocket upgrade, a POST. It may go on without an `Origin`
   * (not a browser, or an old one on the server's own page), from the server's own origin, or
   * from an origin that `cors.origin` names (listed, or the predicate says yes; `'*'` is not enough).
   */
  refuseForeign(req: IncomingMessage): HttpProblem | undefined
  /** Adds the CORS response headers when the request's origin is allowed. */
  apply(req: IncomingMessage, res: ServerResponse): void
  /** Answers an OPTIONS request: a preflight when CORS is configured, else a plain `Allow`. Call after `apply`. */
  preflight(req: IncomingMessage, res: ServerResponse, methods: string): void
}

/** Adds `field` to `Vary`, keeping what other middleware put there and never twice. */
function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader('Vary')
  if (!current) return void res.setHeader('Vary', field)
  const fields = String(current).toLowerCase().split(/\s*,\s*/)
  if (fields.indexOf(field.toLowerCase()) === -1) res.setHeader('Vary', String(current) + ', ' + field)
}

/** The request headers a preflight grants: the base ones and those requested, never what {@link NEVER_ALLOWED_HEADER} names. */
function allowedHeaders(requested: string | undefined): string {
  const list = BASE_ALLOWED_HEADERS.slice()
  const known = list.map((name) => name.toLowerCase())
  if (requested) {
    requested.split(',').forEach((raw) => {
      const name = raw.trim()
      if (HEADER_TOKEN.test(name) && !NEVER_ALLOWED_HEADER.test(name) && known.indexOf(name.toLowerCase()) === -1) {
        known.push(name.toLowerCase())
        list.push(name)
      }
    })
  }
  return list.join(', ')
}

/** Creates the cross-origin handling for `cors` (no CORS headers when undefined) and `trustProxy`. */
export function createCors({ cors, trustProxy }: Pick<ResolvedServerOptions, 'cors' | 'trustProxy'>): Cors {
  /** Whether `cors.origin` names `origin` itself, rather than letting it in through `'*'`. */
  function names(origin: string): boolean {
    if (!cors) return false
    const rule = cors.origin
    if (typeof rule === 'function') return rule(origin) === true
    return origin !== '*' && ([] as string[]).concat(rule).indexOf(origin) !== -1
  }

  /** Whether a request from `origin` may read responses (no Origin header: same-origin or not a browser). */
  function allows(origin: string | undefined): boolean {
    if (!cors || origin === undefined) return true
    const rule = cors.origin
    return rule === '*' || (Array.isArray(rule) && rule.indexOf('*') !== -1) || names(origin)
  }

  function refuseForeign(req: IncomingMessage): HttpProblem | undefined {
    const origin = req.headers.origin
    if (origin === undefined || names(origin)) return undefined
    const own = ownOrigins(req, trustProxy)
    if (own.indexOf(origin) !== -1) return undefined
    const hint = trustProxy ? '' : ' (behind a proxy that rewrites Host or terminates TLS, see the trustProxy option)'
    return problem(
      403,
      `Cross-origin request refused: Origin ${JSON.stringify(origin.slice(0, 100))} is not this server's own ` +
        `(${own.join(' or ') || 'unknown: no usable host'}) and cors.origin does not list it${hint}`,
    )
  }

  function apply(req: IncomingMessage, res: ServerResponse): void {
    if (!cors) return
    appendVary(res, 'Origin')
    const origin = req.headers.origin
    if (origin === undefined || !allows(origin)) return
    // Echo the origin rather than '*': required with credentials, and harmless without.
    res.setHeader('Access-Control-Allow-Origin', origin)
    if (cors.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true')
  }

  function preflight(req: IncomingMessage, res: ServerResponse, methods: string): void {
    const origin = req.headers.origin
    if (!cors || origin === undefined) {
      res.writeHead(204, { Allow: methods })
      res.end()
      return
    }
    appendVary(res, 'Access-Control-Request-Headers')
    if (!allows(origin)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`Origin ${origin} is not allowed by this server's cors.origin\n`)
      return
    }
    const requested = req.headers['access-control-request-headers']
    res.writeHead(204, {
      Allow: methods,
      'Access-Control-Allow-Methods': methods,
      'Access-Control-Allow-Headers': allowedHeaders(Array.isArray(requested) ? requested.join(',') : requested),
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_S,
    })
    res.end()
  }

  return { refuseForeign, apply, preflight }
}
