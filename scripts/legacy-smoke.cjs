// Runs the legacy bundle in a VM context stripped to what an IE11-class engine offers (no
// Promise, Symbol, fetch, URL, TextDecoder, ...) and streams events to it over a fake
// XMLHttpRequest: es-check proves the syntax is ES5, this proves the bundle actually runs.
// Usage: node scripts/legacy-smoke.cjs dist/pushwire.legacy.umd.js
'use strict'
const vm = require('node:vm')
const fs = require('node:fs')
const assert = require('node:assert/strict')

const bundlePath = process.argv[2]
if (!bundlePath) throw new Error('usage: node scripts/legacy-smoke.cjs <bundle>')

const context = vm.createContext({ console })
vm.runInContext(
  `
  var g = this;
  ['Promise', 'Symbol', 'Reflect', 'WeakSet', 'Proxy', 'fetch', 'ReadableStream', 'TextDecoder',
   'AbortController', 'URL', 'URLSearchParams', 'queueMicrotask', 'EventSource', 'WebSocket',
   'globalThis', 'structuredClone'].forEach(function (k) { try { delete g[k] } catch (e) {} });
  delete Array.from; delete Object.assign; delete Object.entries; delete Object.values;
  delete String.prototype.includes; delete Array.prototype.includes; delete String.prototype.startsWith;
  // IE11's Set and Map constructors ignore their argument.
  var NativeSet = Set, NativeMap = Map;
  g.Set = function Set() { return new NativeSet() };
  g.Map = function Map() { return new NativeMap() };
  g.self = g;
  var timers = [];
  g.setTimeout = function (f, ms) { timers.push({ f: f, at: g.now + (ms || 0), id: timers.length + 1 }); return timers.length };
  g.clearTimeout = function (id) { for (var i = 0; i < timers.length; i++) if (timers[i].id === id) timers[i].f = null };
  g.now = 0;
  g.runTimers = function () {
    for (var round = 0; round < 1000; round++) {
      var next = null;
      for (var i = 0; i < timers.length; i++) if (timers[i].f && (!next || timers[i].at < next.at)) next = timers[i];
      if (!next || next.at > g.now) return;
      var f = next.f; next.f = null; f();
    }
    throw new Error('timers did not settle');
  };
  `,
  context,
)

// The fake server: the first poll gets a cursor at once, the next one two events, the third is held.
const polls = []
context.XMLHttpRequest = function FakeXhr() {
  const xhr = this
  xhr.readyState = 0
  xhr.status = 0
  xhr.responseText = ''
  xhr.withCredentials = false
  xhr.headers = {}
  xhr.open = function (method, url) { xhr.method = method; xhr.url = url; xhr.readyState = 1 }
  xhr.setRequestHeader = function (name, value) { xhr.headers[name] = value }
  xhr.getResponseHeader = function (name) { return name.toLowerCase() === 'content-type' ? 'text/event-stream' : null }
  xhr.abort = function () { xhr.aborted = true }
  xhr.send = function () { polls.push(xhr) }
  xhr.respond = function (body, status) {
    xhr.status = status || 200
    xhr.readyState = 2
    xhr.onreadystatechange && xhr.onreadystatechange()
    xhr.responseText = body
    xhr.readyState = 4
    xhr.onreadystatechange && xhr.onreadystatechange()
  }
}

// IE11 has localStorage and window listeners: the remembered transport and the page hooks run
// too. An entry that expired long ago (another stream path) is removed when the client starts.
vm.runInContext(
  `
  var stored = { 'pushwire:transport:http://127.0.0.1:1/rooms/7': '1 websocket', 'app:draft': 'keep' };
  g.localStorage = {
    getItem: function (k) { return stored.hasOwnProperty(k) ? stored[k] : null },
    setItem: function (k, v) { stored[k] = String(v) },
    removeItem: function (k) { delete stored[k] },
    key: function (i) { var keys = []; for (var k in stored) keys.push(k); return i < keys.length ? keys[i] : null }
  };
  Object.defineProperty(g.localStorage, 'length', { get: function () { var n = 0; for (var k in stored) n++; return n } });
  var pageListeners = 0;
  g.addEventListener = function () { pageListeners++ };
  g.removeEventListener = function () { pageListeners-- };
  `,
  context,
)

vm.runInContext(fs.readFileSync(bundlePath, 'utf8'), context, { filename: bundlePath })
assert.equal(typeof context.Pushwire.createPushClient, 'function', 'Pushwire global with createPushClient')

vm.runInContext(
  `
  var received = [];
  var states = [];
  var client = Pushwire.createPushClient({ url: 'http://127.0.0.1:1/stream', decode: 'json' });
  client.on('dish', function (m) { received.push(m.id + ':' + m.data.name) });
  client.onStatus(function (s) { states.push(s.state + '/' + s.transport) });
  runTimers();
  `,
  context,
)

const settle = () => vm.runInContext('runTimers()', context)
assert.equal(polls.length, 1, 'first poll sent')
assert.match(polls[0].url, /transport=long-poll/)
polls[0].respond('event: pushwire:heartbeat\nid: 0\ndata\n\n')
settle()
assert.equal(polls.length, 2, 're-polled at once after a 200')
assert.match(polls[1].url, /lastEventId=0/)
polls[1].respond('event: dish\nid: 1\ndata: {"name":"mapo tofu"}\n\nevent: dish\nid: 2\ndata: {"name":"kung pao"}\n\n')
settle()
assert.equal(polls.length, 3)
assert.match(polls[2].url, /lastEventId=2/)

// A failed poll: the client backs off, polls again from id 2, and drops the id-2 event a
// careless server replays (dedupe must not lean on `new Set(iterable)`).
polls[2].respond('', 500)
vm.runInContext('now += 60000; runTimers()', context)
assert.equal(polls.length, 4, 're-polled after the backoff')
assert.match(polls[3].url, /lastEventId=2/)
polls[3].respond('event: dish\nid: 2\ndata: {"name":"kung pao"}\n\nevent: dish\nid: 3\ndata: {"name":"hongshao rou"}\n\n')
settle()
assert.equal(polls.length, 5)

assert.deepEqual(Object.keys(context.stored), ['app:draft'], 'the expired entry was removed, nothing else')
assert.equal(context.pageListeners, 3, 'online, offline and visibilitychange listened to')
vm.runInContext('client.close(); runTimers()', context)
assert.equal(context.pageListeners, 0, 'close() removed the page listeners')
assert.deepEqual(Array.from(context.received), ['1:mapo tofu', '2:kung pao', '3:hongshao rou'])
assert.ok(context.states.indexOf('open/long-poll') !== -1, 'status reached open on long-poll')
assert.equal(context.states[context.states.length - 1], 'closed/long-poll')
assert.ok(polls[4].aborted, 'close() aborted the held poll')
console.log(`legacy smoke: ${bundlePath} ran on an ES5 global set and received ${context.received.length} events over XMLHttpRequest`)
