// Helpers shared by the dashboard and the chat page. Server text only ever reaches the DOM
// through textContent (see `element`), never through innerHTML.
;(function () {
  'use strict'

  const STATE_LABELS = {
    idle: 'idle 空闲',
    connecting: 'connecting 连接中',
    open: 'open 已连接',
    reconnecting: 'reconnecting 重连中',
    closed: 'closed 已关闭',
  }

  function pad(n) {
    return n < 10 ? '0' + n : String(n)
  }

  window.DemoUI = {
    /** Creates `<tag class="…">text</tag>`; `text` is set as textContent. */
    element(tag, className, text) {
      const node = document.createElement(tag)
      if (className) node.className = className
      if (text !== undefined) node.textContent = text
      return node
    },

    /** "HH:MM:SS" of an epoch-ms time, the same in every locale. */
    clockTime(ms) {
      const date = new Date(ms)
      return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds())
    },

    /** Shows a client state in a coloured pill; `data-state` carries the raw state for styling and tests. */
    setStatePill(pill, state) {
      pill.textContent = STATE_LABELS[state] || state
      pill.setAttribute('data-state', state)
    },

    /** Keeps at most `max` children in `list`, dropping from the end. */
    trimList(list, max) {
      while (list.children.length > max) list.removeChild(list.lastElementChild)
    },
  }
})()
