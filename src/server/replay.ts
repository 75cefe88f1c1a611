import type { Hub, HubClient, Membership } from './hub'
import { encodeReset } from './sse-encoding'

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
    let reset = history.reset ? encodeReset(lastEventId) : ''
    for (let page = await history.next(); page !== undefined; page = await history.next()) {
      await writeWithin(client, reset + page, writeTimeoutMs)
      reset = ''
    }
    if (reset) await writeWithin(client, reset, writeTimeoutMs)
    membership.release(history.skipThrough)
  } catch {
    client.destroy()
  }
}
