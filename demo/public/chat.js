// The seed's WebSocket chat on pushwire: `send()` goes up as a WebSocket frame (or an HTTP POST
// on the fallback transports) and the server re-publishes it to everyone as a `chat` event.
;(function () {
  'use strict'

  const MAX_MESSAGES = 200
  const ui = window.DemoUI
  const $ = (id) => document.getElementById(id)
  const chatBox = $('chatBox')
  const form = $('chat-form')
  const nameInput = $('nameInput')
  const messageInput = $('messageInput')
  const sendButton = $('sendButton')
  const errorLine = $('chat-error')

  nameInput.value = 'Guest ' + Math.floor(1000 + Math.random() * 9000)

  const client = Pushwire.createPushClient({
    url: '/chat/stream',
    transports: ['websocket', 'fetch-sse', 'long-poll'],
    decode: 'json',
    // "0" = before the first message: the server replays the recent messages it still holds.
    lastEventId: '0',
  })

  client.on('chat', (msg) => {
    const empty = $('chat-empty')
    if (empty) empty.remove()
    const message = msg.data
    const bubble = ui.element('li', message.name === nameInput.value.trim() ? 'bubble mine' : 'bubble')
    bubble.appendChild(ui.element('div', 'bubble-meta', message.name + ' · ' + ui.clockTime(message.at)))
    bubble.appendChild(ui.element('div', 'bubble-text', message.text))
    chatBox.appendChild(bubble)
    while (chatBox.children.length > MAX_MESSAGES) chatBox.removeChild(chatBox.firstElementChild)
    chatBox.scrollTop = chatBox.scrollHeight
  })

  client.onStatus((status) => {
    ui.setStatePill($('chat-state'), status.state)
    $('chat-transport').textContent = status.transport ? 'via ' + status.transport : ''
    if (status.error) errorLine.textContent = status.error.code + ': ' + status.error.message
    else if (status.state === 'open') errorLine.textContent = ''
  })

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = messageInput.value.trim()
    if (!text) return
    sendButton.disabled = true
    client
      .send(JSON.stringify({ name: nameInput.value, text }))
      .then(
        () => {
          messageInput.value = ''
          errorLine.textContent = ''
        },
        (error) => (errorLine.textContent = 'Not sent: ' + error.message),
      )
      .then(() => {
        sendButton.disabled = false
        messageInput.focus()
      })
  })

})()
