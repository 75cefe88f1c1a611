import type { PushError } from '../../src/errors'
import type { TransportSink } from '../../src/types'
import { deferred, within } from './wait'

/** The fields of one `sink.event(type, data, id)` call. */
export interface RecordedEvent {
  type: string
  data: string
  id?: string
}

/** The fields of one `sink.message(type, data, id)` call: data decoded already. */
export interface RecordedMessage {
  type: string
  data: unknown
  id?: string
}

/** One call a transport made on its sink, in order. */
export type SinkCall =
  | { kind: 'open'; seesComments?: boolean }
  | { kind: 'activity' }
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'message'; message: RecordedMessage }
  | { kind: 'dropped'; error: PushError }
  | { kind: 'retry'; ms: number }
  | { kind: 'fail'; error: PushError }

/**
 * A {@link TransportSink} that records every call and checks the sink contract: after
 * `fail` or after {@link RecordingSink.seal} (call it when you close the connection) any
 * further call is a contract breach, recorded in `late` instead of `calls`.
 */
export interface RecordingSink {
  sink: TransportSink
  /** Every call before the sink was sealed, in order. */
  calls: SinkCall[]
  /** Calls made after `fail` or `seal()`; a correct transport leaves this empty. */
  late: SinkCall[]
  readonly events: RecordedEvent[]
  readonly messages: RecordedMessage[]
  /** Errors of `fail` calls. */
  readonly errors: PushError[]
  /** Errors of `dropped` calls (the connection went on). */
  readonly dropped: PushError[]
  readonly opens: number
  readonly activity: number
  /** Calls kinds in order without `activity`, e.g. `['open', 'event', 'fail']`. */
  kinds(): string[]
  /** From now on every call is late (the test is about to close the connection). */
  seal(): void
  /** Resolves when `predicate(this)` holds, re-checked on every call; rejects after `timeoutMs`. */
  until(predicate: (recorded: RecordingSink) => boolean, what?: string, timeoutMs?: number): Promise<void>
}

export function createRecordingSink(): RecordingSink {
  const calls: SinkCall[] = []
  const late: SinkCall[] = []
  const waiters: Array<() => void> = []
  let sealed = false

  function record(call: SinkCall): void {
    if (sealed) {
      late.push(call)
      return
    }
    calls.push(call)
    if (call.kind === 'fail') sealed = true
    waiters.slice().forEach((check) => check())
  }

  const only = <K extends SinkCall['kind']>(kind: K) =>
    calls.filter((call): call is Extract<SinkCall, { kind: K }> => call.kind === kind)

  const recorded: RecordingSink = {
    sink: {
      open: (seesComments) => record(seesComments === undefined ? { kind: 'open' } : { kind: 'open', seesComments }),
      activity: () => record({ kind: 'activity' }),
      event: (type, data, id) => record({ kind: 'event', event: { type, data, id } }),
      message: (type, data, id) => record({ kind: 'message', message: { type, data, id } }),
      dropped: (error) => record({ kind: 'dropped', error }),
      retry: (ms) => record({ kind: 'retry', ms }),
      fail: (error) => record({ kind: 'fail', error }),
    },
    calls,
    late,
    get events() {
      return only('event').map((call) => call.event)
    },
    get messages() {
      return only('message').map((call) => call.message)
    },
    get errors() {
      return only('fail').map((call) => call.error)
    },
    get dropped() {
      return only('dropped').map((call) => call.error)
    },
    get opens() {
      return only('open').length
    },
    get activity() {
      return only('activity').length
    },
    kinds: () => calls.filter((call) => call.kind !== 'activity').map((call) => call.kind),
    seal() {
      sealed = true
    },
    until(predicate, what = 'sink condition', timeoutMs) {
      if (predicate(recorded)) return Promise.resolve()
      const done = deferred()
      const check = (): void => {
        if (!predicate(recorded)) return
        waiters.splice(waiters.indexOf(check), 1)
        done.resolve()
      }
      waiters.push(check)
      const describe = () => `${what} (calls so far: ${JSON.stringify(recorded.kinds())})`
      return within(done.promise, what, timeoutMs).catch(() => {
        waiters.splice(waiters.indexOf(check), 1)
        throw new Error(`timed out waiting for ${describe()}`)
      })
    },
  }
  return recorded
}
