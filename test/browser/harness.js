// Loaded by every test page before the bundle. ES5 on purpose: it must run in the pages where
// the modern globals were removed, as an app on an old browser would. For the same reason
// the test reads the page through the DOM only (playwright's page.evaluate needs Symbol and
// globalThis in the page): the log is rendered as JSON in #pw-log, each message as an <li>
// in #messages and each status as an <li> in #statuses; #close closes the client, #sentinel
// makes a request that marks a point in the network log, #send sends the text of #send-data
// (each outcome an <li> in #sends). <body> carries `data-online` (navigator.onLine) and
// `data-visibility` (document.visibilityState), updated by the page's own events, so a test
// sees what the client sees.
//
// The page's location.hash holds `{ options, setup }` as URI-encoded JSON:
// `setup.types`: event types to listen to (native EventSource only dispatches those);
// `setup.tokens`: the Authorization header of each connect in turn (the last one repeats);
// `setup.probe`: global paths ('fetch', 'Array.from') checked for absence before the bundle loads;
// `setup.websocketFormat`: the body of a `websocketFormat` function of `frame` (functions cannot
// travel as JSON).
;(function () {
  var spec = location.hash.length > 1 ? JSON.parse(decodeURIComponent(location.hash.slice(1))) : null
  var setup = (spec && spec.setup) || {}
  var log = { messages: [], statuses: [], sends: [], headerCalls: 0, state: null, missingAtLoad: [], startError: null, firstMessageMs: null }
  // Where the page load began: what the time to the first message is measured from.
  var loadStart = window.performance && performance.timing ? performance.timing.navigationStart : new Date().getTime()
  var client = null

  function isMissing(path) {
    var value = window
    var keys = path.split('.')
    for (var i = 0; i < keys.length && value != null; i++) value = value[keys[i]]
    return value === undefined
  }
  var probe = setup.probe || []
  for (var p = 0; p < probe.length; p++) if (isMissing(probe[p])) log.missingAtLoad.push(probe[p])

  function byId(id) {
    return document.getElementById(id)
  }

  function show() {
    byId('pw-log').textContent = JSON.stringify(log)
  }

  function append(listId, data, text) {
    var item = document.createElement('li')
    for (var key in data) if (data[key] != null) item.setAttribute('data-' + key, data[key])
    item.appendChild(document.createTextNode(text))
    byId(listId).appendChild(item)
    show()
  }

  function start(options) {
    var types = setup.types || []
    var tokens = setup.tokens
    if (setup.websocketFormat) options.websocketFormat = new Function('frame', setup.websocketFormat)
    if (tokens) {
      options.headers = function () {
        var token = tokens[Math.min(log.headerCalls, tokens.length - 1)]
        log.headerCalls++
        show()
        return { Authorization: token }
      }
    }
    // lazy + connect(): the status listener is in place for the first `connecting`.
    options.lazy = true
    client = window.Pushwire.createPushClient(options)
    client.on('*', function (message) {
      var entry = { type: message.type, data: message.data, id: message.id, transport: message.transport }
      if (log.firstMessageMs === null) log.firstMessageMs = new Date().getTime() - loadStart
      log.messages.push(entry)
      append('messages', { id: entry.id, type: entry.type, transport: entry.transport }, JSON.stringify(entry.data))
    })
    for (var i = 0; i < types.length; i++) client.on(types[i], function () {})
    client.onStatus(function (status) {
      var entry = {
        state: status.state,
        transport: status.transport,
        code: status.error ? status.error.code : null,
        message: status.error ? status.error.message : null,
        delayMs: status.delayMs == null ? null : status.delayMs,
      }
      log.statuses.push(entry)
      log.state = client.state
      append('statuses', { state: entry.state, transport: entry.transport, code: entry.code }, entry.message || entry.state)
    })
    client.connect()
  }

  function sendText() {
    function settled(outcome) {
      log.sends.push(outcome)
      append('sends', {}, outcome)
    }
    client.send(byId('send-data').value).then(
      function () {
        settled('ok')
      },
      function (error) {
        settled('error: ' + (error && error.code) + ' ' + (error && error.message))
      }
    )
  }

  // Read from the page's own state when its events fire: what the client reacts to.
  function showPageState() {
    var body = document.body
    if (!body) return
    body.setAttribute('data-online', String(navigator.onLine))
    body.setAttribute('data-visibility', document.visibilityState || 'visible')
    if (byId('pw-log')) show()
  }
  window.addEventListener('online', showPageState)
  window.addEventListener('offline', showPageState)
  if (document.addEventListener) document.addEventListener('visibilitychange', showPageState)

  window.addEventListener('load', function () {
    document.body.innerHTML =
      '<button id="close" type="button">close</button><button id="sentinel" type="button">sentinel</button>' +
      '<input id="send-data"><button id="send" type="button">send</button>' +
      '<ol id="messages"></ol><ol id="statuses"></ol><ol id="sends"></ol><pre id="pw-log"></pre>'
    showPageState()
    byId('close').onclick = function () {
      client.close()
      log.state = client.state
      show()
    }
    byId('send').onclick = sendText
    // A request the test can tell apart, to mark a point in the page's network log.
    byId('sentinel').onclick = function () {
      var request = new XMLHttpRequest()
      request.open('GET', '/harness.js?sentinel')
      request.send()
    }
    if (spec) {
      try {
        start(spec.options)
      } catch (error) {
        log.startError = String(error)
      }
    }
    show()
    document.body.setAttribute('data-harness', 'ready')
  })
})()
