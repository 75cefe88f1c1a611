import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const publicDir = join(here, 'public')
const distDir = join(here, '..', 'dist')
// chart.js does not export its UMD file, so locate it next to the package's main entry.
const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'))

const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
}

// A fixed table rather than a directory lookup: nothing outside it can be requested, so
// there is no path traversal to guard against.
const FILES = {
  '/': join(publicDir, 'index.html'),
  '/index.html': join(publicDir, 'index.html'),
  '/chat.html': join(publicDir, 'chat.html'),
  '/dashboard.js': join(publicDir, 'dashboard.js'),
  '/chat.js': join(publicDir, 'chat.js'),
  '/ui.js': join(publicDir, 'ui.js'),
  '/style.css': join(publicDir, 'style.css'),
  '/vendor/pushwire.umd.js': join(distDir, 'pushwire.umd.js'),
  '/vendor/pushwire.umd.js.map': join(distDir, 'pushwire.umd.js.map'),
  '/vendor/chart.umd.js': join(chartDir, 'chart.umd.js'),
  '/vendor/chart.umd.js.map': join(chartDir, 'chart.umd.js.map'),
}

// Pages may load only their own scripts and talk only to their own origin ('self' covers
// same-origin ws: in CSP Level 3), which backs up the textContent-only rule for server text.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/**
 * Serves the demo's pages, the built UMD client and chart.js. Returns false when `pathname`
 * is not a static file, so the caller can route it elsewhere.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} pathname
 */
export async function serveStatic(req, res, pathname) {
  const file = FILES[pathname]
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return false
  let size
  try {
    size = (await stat(file)).size
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(`${pathname} is missing; run \`npm run build\` first\n`)
    return true
  }
  const extension = file.slice(file.lastIndexOf('.') + 1)
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': TYPES[extension] || 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res)
  return true
}
