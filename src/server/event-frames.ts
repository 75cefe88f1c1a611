/** A WebSocket frame carries at most this many bytes of events, unless one event alone is longer. */
export const MAX_FRAME_BYTES = 64 * 1024

/**
 * Splits SSE text into pieces of at most `maxBytes` that end where an event ends (a blank line,
 * which in pushwire's encoding ends a block and nothing else); an event longer than `maxBytes`
 * is a piece of its own. A WebSocket client parses each frame on its own and may bound a
 * frame's size (`ws`'s maxPayload, in Node): a burst published in one tick must not become
 * one frame of any size.
 */
export function splitAtEvents(payload: Buffer, maxBytes: number): Buffer[] {
  const pieces: Buffer[] = []
  let start = 0
  while (start < payload.length) {
    let end = payload.length
    if (end - start > maxBytes) {
      const lastFitting = payload.lastIndexOf('\n\n', start + maxBytes - 2)
      const blockEnd = lastFitting >= start ? lastFitting : payload.indexOf('\n\n', start)
      if (blockEnd >= 0) end = blockEnd + 2
    }
    pieces.push(payload.subarray(start, end))
    start = end
  }
  return pieces
}
