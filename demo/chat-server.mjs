import { createPushServer } from '../dist/server.mjs'

const MAX_NAME_LENGTH = 24
const MAX_TEXT_LENGTH = 500

function clip(value, max) {
  return typeof value === 'string' ? value.trim().slice(0, max) : ''
}

/**
 * The seed's WebSocket chat on pushwire: whatever a client sends (`{ name, text }` as JSON)
 * is published to everyone as a `chat` event. Text is passed through unescaped on purpose:
 * the page renders it with textContent, so markup stays inert.
 *
 * @param {{ path: string, adapter: import('../dist/server.mjs').PushAdapter }} options
 */
export function createChatServer({ path, adapter }) {
  const server = createPushServer({
    path,
    adapter,
    heartbeatMs: 10000,
    maxBodyBytes: 4096,
    onMessage(raw) {
      let message
      try {
        message = JSON.parse(raw)
      } catch {
        message = { text: raw }
      }
      const text = clip(message && message.text, MAX_TEXT_LENGTH)
      if (!text) return
      const name = clip(message.name, MAX_NAME_LENGTH) || 'guest'
      // A message that cannot be stored fails the POST (500) or closes the WebSocket (1011).
      return server.publish({ event: 'chat', data: { name, text, at: Date.now() } })
    },
  })
  return server
}
