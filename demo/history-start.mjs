/** Events a new dashboard page starts with: its line chart shows this many. */
const POINTS = 60

/**
 * Where a new dashboard page resumes: 60 events before the newest, so its line chart starts
 * full instead of empty. In one process the demo remembers the ids it published; with Redis
 * (several processes, one of them publishing) it asks the stream.
 *
 * @param {{ redisUrl?: string, stream: string, timeoutMs: number }} options
 *   `timeoutMs`: how long `lastEventId()` waits for Redis before it rejects.
 * @returns {Promise<{ record(id: string): void, lastEventId(): Promise<string>, close(): Promise<void> }>}
 */
export async function createHistoryStart({ redisUrl, stream, timeoutMs }) {
  if (!redisUrl) {
    const recent = []
    return {
      record(id) {
        recent.push(id)
        if (recent.length > POINTS + 1) recent.shift()
      },
      // "0" is the start: fewer than 60 events so far, the page gets them all.
      lastEventId: async () => (recent.length > POINTS ? recent[0] : '0'),
      close: async () => {},
    }
  }
  const { createClient } = await import('redis')
  // Without the offline queue a command fails at once while Redis is down, instead of
  // waiting for a reconnect that may never come.
  const client = createClient({ url: redisUrl, disableOfflineQueue: true })
  client.on('error', () => {}) // the push server reports Redis outages
  await client.connect()
  return {
    record() {},
    async lastEventId() {
      const newest = await withDeadline(timeoutMs, (abortSignal) =>
        client.sendCommand(['XREVRANGE', stream, '+', '-', 'COUNT', String(POINTS + 1)], { abortSignal }),
      )
      return newest.length > POINTS ? String(newest[POINTS][0]) : '0'
    },
    close: () => client.close(),
  }
}

/**
 * Runs `command` and rejects with a clear message if Redis fails or has not answered within
 * `timeoutMs`. A Redis that accepts connections but answers nothing (stopped, or a
 * network that drops packets) would otherwise hold the command, and the page, indefinitely;
 * the abort takes the command out of the client's queue, so waiting pages do not pile up.
 */
function withDeadline(timeoutMs, command) {
  const controller = new AbortController()
  let timer
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
  })
  const answered = command(controller.signal).catch((error) => {
    throw new Error(`Redis did not answer: ${error.message || error.name}`)
  })
  return Promise.race([answered, deadline]).finally(() => clearTimeout(timer))
}
