// Loaded by every test page before the bundle. ES5 on purpose: it must run in the pages where
// the modern globals were removed, as an app on an old browser would.
;(function () {
  var log = { messages: [], statuses: [], headerCalls: 0 }

  function record(client, types) {
    client.on('*', function (message) {
      log.messages.push({ type: message.type, data: message.data, id: message.id, transport: message.transport })
    })
    // Native EventSource only dispatches types somebody listens to (see the contract's `on`).
    for (var i = 0; i < types.length; i++) client.on(types[i], function () {})
    client.onStatus(function (status) {
      log.statuses.push({
        state: status.state,
        transport: status.transport,
        code: status.error ? status.error.code : null,
        message: status.error ? status.error.message : null,
      })
    })
  }

  window.pwTest = {
    log: log,
    client: null,
    /**
     * Creates a client with `options`, records every message and status (the first
     * `connecting` included, hence `lazy` + `connect()`), and keeps it as `pwTest.client`.
     * `setup.types`: event types to listen to; `setup.tokens`: the `Authorization` header of
     * each connect in turn (the last one repeats), given by a `headers` function.
     */
    start: function (options, setup) {
      var types = setup.types || []
      var tokens = setup.tokens
      if (tokens) {
        options.headers = function () {
          var token = tokens[Math.min(log.headerCalls, tokens.length - 1)]
          log.headerCalls++
          return { Authorization: token }
        }
      }
      options.lazy = true
      var client = window.Pushwire.createPushClient(options)
      record(client, types)
      window.pwTest.client = client
      client.connect()
      return client.transport
    },
  }
})()
