// The events every client benchmark reads: ~100-byte events with unique ids, like a
// dashboard's stream, EVENTS_PER_FRAME complete events per WebSocket frame.
const EVENTS_PER_FRAME = 10

/** Events 1..count as SSE text, cut into frames of EVENTS_PER_FRAME events. */
export function encodeFrames(count) {
  const frames = []
  let frame = ''
  for (let id = 1; id <= count; id++) {
    frame += `id: ${id}\nevent: dish\ndata: {"dish":"kung pao chicken","sales":${id % 997},"price":38.5,"t":${1700000000 + id}}\n\n`
    if (id % EVENTS_PER_FRAME === 0 || id === count) {
      frames.push(frame)
      frame = ''
    }
  }
  return frames
}
