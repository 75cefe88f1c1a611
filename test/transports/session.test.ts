import { describe, expect, it, vi } from 'vitest'
import { PushError } from '../../src/errors'
import { createSession, resumeUrl } from '../../src/transports/session'
import { createRecordingSink } from '../helpers'
import { transportRequest } from './harness'

describe('session', () => {
  it('reports the open once, and activity every time', () => {
    const recorded = createRecordingSink()
    const session = createSession(recorded.sink, 1024, () => {})
    session.open()
    session.open()
    session.activity()
    expect(recorded.kinds()).toEqual(['open'])
    expect(recorded.activity).toBe(3)
  })

  it('opens on the first text it reads and hands the events to the sink', () => {
    const recorded = createRecordingSink()
    const session = createSession(recorded.sink, 1024, () => {})
    session.read('id: 1\ndata: a\n\n')
    expect(recorded.kinds()).toEqual(['open', 'event'])
    expect(recorded.events).toEqual([{ type: 'message', data: 'a', id: '1' }])
  })

  it('drops the unterminated event of one body when the next begins', () => {
    const recorded = createRecordingSink()
    const session = createSession(recorded.sink, 1024, () => {})
    session.read('data: cut')
    session.newBody()
    session.read('data: whole\n\n')
    expect(recorded.events.map((event) => event.data)).toEqual(['whole'])
  })

  it('releases once and reports a failure once, and nothing after it', () => {
    const recorded = createRecordingSink()
    const release = vi.fn()
    const session = createSession(recorded.sink, 1024, release)
    session.fail(new PushError('network', 'dropped'))
    session.fail(new PushError('network', 'again'))
    session.close()
    session.read('data: late\n\n')
    session.activity()
    expect(release).toHaveBeenCalledTimes(1)
    expect(recorded.errors.map((error) => error.message)).toEqual(['dropped'])
    expect(session.live()).toBe(false)
    expect(recorded.late).toEqual([])
  })

  it('closes without a report, once', () => {
    const recorded = createRecordingSink()
    const release = vi.fn()
    const session = createSession(recorded.sink, 1024, release)
    session.close()
    session.close()
    session.fail(new PushError('network', 'after close'))
    expect(release).toHaveBeenCalledTimes(1)
    expect(recorded.calls).toEqual([])
  })

  it('fails with too-large when an event passes maxMessageBytes, and stops reading', () => {
    const recorded = createRecordingSink()
    const session = createSession(recorded.sink, 16, () => {})
    session.read(`data: ${'x'.repeat(20)}\n\ndata: after\n\n`)
    expect(recorded.errors.map((error) => error.code)).toEqual(['too-large'])
    expect(recorded.events).toEqual([])
  })
})

describe('resumeUrl', () => {
  it('adds the resume point under lastEventIdParam and the transport name', () => {
    const request = transportRequest('https://x.test/s?room=1', {}, { lastEventId: '42', lastEventIdParam: 'since' })
    expect(resumeUrl(request.url, request, 'long-poll')).toBe('https://x.test/s?room=1&transport=long-poll&since=42')
  })

  it('adds neither for a fresh start (an empty id is none) without a transport name', () => {
    const request = transportRequest('https://x.test/s', {}, { lastEventId: '' })
    expect(resumeUrl(request.url, request)).toBe('https://x.test/s')
  })
})
