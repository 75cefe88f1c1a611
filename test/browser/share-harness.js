// Loaded by the pages of share.test.ts before the bundle (instead of harness.js): many tabs and
// thousands of events, so nothing is rendered per message; the test reads `window.pw` with
// page.evaluate. <body> carries `data-state` and `data-role` of the client's latest status.
//
// location.hash holds `{ options, setup }` as URI-encoded JSON:
// `setup.unshared`: no `share` option (the page connects by itself);
// `setup.types`: event types to listen to (native EventSource only dispatches those);
// `setup.wait`: do not connect until the test calls `pw.client.connect()`.
;(function () {
  var spec = JSON.parse(decodeURIComponent(location.hash.slice(1)))
  var setup = spec.setup || {}
  var pw = { messages: [], statuses: [], client: null, startError: null }
  window.pw = pw

  function show(status) {
    document.body.setAttribute('data-state', status.state)
    document.body.setAttribute('data-role', status.role || '')
  }

  function start() {
    var options = spec.options
    if (!setup.unshared) options.share = Pushwire.shareAcrossTabs()
    options.lazy = true
    var client = (pw.client = Pushwire.createPushClient(options))
    client.on('*', function (message) {
      pw.messages.push([message.id, message.type, message.data, message.transport])
    })
    ;(setup.types || []).forEach(function (type) {
      client.on(type, function () {})
    })
    client.onStatus(function (status) {
      pw.statuses.push({ state: status.state, transport: status.transport, role: status.role, code: status.error ? status.error.code : null })
      show(status)
    })
    if (!setup.wait) client.connect()
  }

  window.addEventListener('load', function () {
    try {
      start()
    } catch (error) {
      pw.startError = String(error)
    }
    document.body.setAttribute('data-harness', 'ready')
  })
})()
