import type { History } from './adapters/adapter'
import type { Hub, HubClient, Membership } from './hub'
import { encodeCursor, encodeReset } from './sse-encoding'

/**
 * The first thing a resuming client is sent, on every transport: `pushwire:reset` when its
 * resume point is gone, then the first page of what it missed; `undefined` when it missed
 * nothing. A reset with nothing to replay (a quiet stream after a restart) ends with the
 * cursor at the head: else the client would keep its unknown id and be reset again on every
 * reconnect. After pages, the last event's id is that cursor already.
 */
export async function firstAnswer(history: History, resumeFrom: string): Promise<string | undefined> {
  const page = await history.next()
  if (!history.reset) return page
  return encodeReset(resumeFrom) + (page !== undefined ? page : encodeCursor(history.untilId))
}

/** Writes `text` and waits until it was handed to the OS; a client that takes longer than `timeoutMs` is dropped. */
function writeWithin(client: HubClient, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('write timed out')), timeoutMs)
    client.write(Buffer.from(text), (error) => {
      clearTimeout(timer)
      if (error) reject(error)
      else resolve()
    })
  })
}

/**
 * Sends a streaming client (SSE, WebSocket) what it missed after `lastEventId`, one page at a
 * time, each only once the one before was taken by the OS: a client that does not read holds
 * one page, not the whole history. Then releases the live events held back meanwhile. Any
 * failure (the client left or stalled, the store is unreachable) drops the connection; the
 * client reconnects and resumes.
 */
export async function replayThenGoLive(
  hub: Hub,
  client: HubClient,
  membership: Membership,
  lastEventId: string,
  writeTimeoutMs: number,
): Promise<void> {
  try {
    const history = await hub.history(lastEventId, membership.until)
    for (let page = await firstAnswer(history, lastEventId); page !== undefined; page = await history.next()) {
      await writeWithin(client, page, writeTimeoutMs)
    }
    membership.release(history.skipThrough)
  } catch {
    client.destroy()
  }
}
