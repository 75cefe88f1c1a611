/**
 * Shared test helpers:
 * - `createTestServer()` — a loopback HTTP + WebSocket server answered step by step by the test
 * - `createRecordingSink()` — a TransportSink that records calls and flags calls after fail/close
 * - `waitFor`, `within`, `deferred` — waiting on conditions and promises without fixed sleeps
 * - `createXhrShim()`, `createEventSourceShim()` — XMLHttpRequest / EventSource for Node, over the network
 * - `createMemoryStorage()` — a localStorage for Node
 */
export * from './event-source-shim'
export * from './memory-storage'
export * from './recording-sink'
export * from './test-server'
export * from './wait'
export * from './xhr-shim'
