import { createServer, request } from 'node:http'
import { connect } from 'node:net'

const STREAM_PATHS = ['/stream', '/chat/stream']

function pathnameOf(url) {
  return new URL(url || '/', 'http://localhost').pathname
}

function isStream(req) {
  return STREAM_PATHS.indexOf(pathnameOf(req.url)) !== -1
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** Sends the request on to `port` and streams the answer back as it comes (SSE is never buffered). */
function forward(req, res, port) {
  const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode || 502, answer.headers)
    res.flushHeaders()
    answer.pipe(res)
    // A process that drops the stream must drop it for the client too, not leave it hanging.
    answer.on('close', () => {
      if (!answer.complete) res.destroy()
    })
  })
  upstream.on('error', () => {
    if (!res.headersSent) sendJson(res, 502, { error: `process on port ${port} is not answering` })
    else res.destroy()
  })
  // A client that leaves takes its upstream request (and the push server's stream) with it.
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
}

/** Hands a WebSocket upgrade to `port` byte for byte. */
function forwardUpgrade(req, socket, head, port) {
  const upstream = connect(port, '127.0.0.1', () => {
    let lines = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`
    upstream.write(lines + '\r\n')
    if (head.length) upstream.write(head)
    upstream.pipe(socket).pipe(upstream)
  })
  upstream.on('error', () => socket.destroy())
  socket.on('error', () => upstream.destroy())
  socket.on('close', () => upstream.destroy())
  upstream.on('close', () => socket.destroy())
}

/**
 * Asks every process the same question and answers with the sum of one field: "Drop
 * connection" drops the stream wherever it is, and the connection count is the cluster's.
 */
function askEveryProcess(req, res, ports, field) {
  req.resume()
  const asked = ports.map(
    (port) =>
      new Promise((resolve) => {
        const headers = { 'content-type': req.headers['content-type'] || '' }
        const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
          let body = ''
          answer.setEncoding('utf8')
          answer.on('data', (chunk) => (body += chunk))
          answer.on('end', () => resolve({ port, status: answer.statusCode, body }))
        })
        upstream.on('error', () => resolve({ port, status: 502, body: '{}' }))
        upstream.end(req.method === 'POST' ? '{}' : undefined)
      }),
  )
  Promise.all(asked).then((answers) => {
    const refused = answers.find((answer) => answer.status !== 200)
    if (refused) return sendJson(res, refused.status, JSON.parse(refused.body || '{}'))
    const processes = answers.map((answer) => ({ port: answer.port, [field]: JSON.parse(answer.body)[field] }))
    sendJson(res, 200, { [field]: processes.reduce((sum, each) => sum + each[field], 0), processes })
  })
}

/**
 * A small round-robin proxy in front of demo processes on 127.0.0.1, like a load balancer
 * without sticky sessions. Stream connections (SSE, WebSocket, every long-poll) take turns
 * among the processes, counted apart from other requests, so a client that reconnects lands
 * on the next process. "Drop connection" and the connection count go to every process.
 * `onStream(port, req)` hears of every stream connection.
 *
 * @param {{ port: number, host: string, backends: number[], onStream?: (port: number, req: import('node:http').IncomingMessage) => void }} options
 * @returns {Promise<{ port: number, close(): Promise<void> }>}
 */
export async function startProxy({ port, host, backends, onStream = () => {} }) {
  let streams = 0
  let others = 0
  const nextStreamBackend = (req) => {
    const backend = backends[streams++ % backends.length]
    onStream(backend, req)
    return backend
  }

  const server = createServer((req, res) => {
    const pathname = pathnameOf(req.url)
    if (req.method === 'POST' && pathname === '/api/drop') return askEveryProcess(req, res, backends, 'dropped')
    if (req.method === 'GET' && pathname === '/api/stats') return askEveryProcess(req, res, backends, 'clientCount')
    forward(req, res, isStream(req) ? nextStreamBackend(req) : backends[others++ % backends.length])
  })
  server.on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, nextStreamBackend(req)))
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
