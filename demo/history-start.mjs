/** Events a new dashboard page starts with: its line chart shows this many. */
const POINTS = 60

/**
 * Where a new dashboard page resumes: 60 events before the newest, so its line chart starts
 * full instead of empty. In one process the demo remembers the ids it published; with Redis
 * (several processes, one of them publishing) it asks the stream.
 *
 * @param {{ redisUrl?: string, stream: string }} options
 * @returns {Promise<{ record(id: string): void, lastEventId(): Promise<string>, close(): Promise<void> }>}
 */
export async function createHistoryStart({ redisUrl, stream }) {
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
  const client = createClient({ url: redisUrl })
  client.on('error', () => {}) // the push server reports Redis outages
  await client.connect()
  return {
    record() {},
    async lastEventId() {
      const newest = await client.sendCommand(['XREVRANGE', stream, '+', '-', 'COUNT', String(POINTS + 1)])
      return newest.length > POINTS ? String(newest[POINTS][0]) : '0'
    },
    close: () => client.close(),
  }
}
