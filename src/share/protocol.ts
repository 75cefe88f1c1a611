import type { PushErrorDetails } from '../errors'
import type { PushErrorCode, PushStatus } from '../types'
import type { ElectionMessage } from './channel-election'

// What tabs tell each other over their BroadcastChannel. Constants only, and no value imports:
// a bundler inlines such constants where they are used.

/** What a tab keeps to bring a tab that joins with a resume point up to date. */
export const HISTORY_EVENTS = 512
export const HISTORY_CHARS = 1048576

/**
 * A PushError as it crosses to another tab, its constructor's arguments: structured cloning
 * keeps neither its class nor its code, and its cause may not be cloneable at all (an Event).
 */
export type WireError = [code: PushErrorCode, message: string, details: PushErrorDetails]

/**
 * An event as tabs relay it: its type, its data before decoding (after, when `decoded`: what
 * a `websocketFormat` function made of a frame), its id.
 */
export type RawEvent = [type: string, data: unknown, id?: string, decoded?: boolean]

/** Relayed in order: an event, or a status of the shared connection. */
export type Item = RawEvent | (Omit<PushStatus, 'error'> & { error?: WireError })

// Messages are arrays with a numbered kind first, the sender second and, where one tab is
// addressed, that tab third: their fields cost no property names in the bundle. The channel
// election's messages share the channel, with the kinds before these (WHO, LEAD, BYE: 0 to 2).
export const TAB = 3
export const LEAVE = 4
export const RELAY = 5
/** A relay addressed to one tab: where the connection stands, and a joining tab's catch-up. */
export const CATCH_UP = 6
export const SEND = 7
export const SENT = 8

export type Message =
  | ElectionMessage
  // `last`: the tab joins with this resume point and waits for the leader to catch it up.
  | [kind: typeof TAB, from: string, types: string[], awake: boolean, last?: string]
  | [kind: typeof LEAVE, from: string]
  | [kind: typeof RELAY, from: string, items: Item[]]
  | [kind: typeof CATCH_UP, from: string, to: string, items: Item[]]
  | [kind: typeof SEND, from: string, to: string, ref: number, text: string]
  | [kind: typeof SENT, from: string, to: string, ref: number, error?: WireError]
