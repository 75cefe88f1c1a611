/**
 * Names and limits shared by the client and `pushwire/server`. Pure values only: the server
 * imports this module too, so nothing here may touch a browser or Node global.
 */

/** Reserved event type that keeps the client's watchdog fed; never delivered to listeners. */
export const HEARTBEAT_TYPE = 'pushwire:heartbeat'

/** Reserved event type: the server could not resume from the requested id. */
export const RESET_TYPE = 'pushwire:reset'

/** Delivered ids a client remembers for dedupe; a resume replays far fewer than this. */
export const DEDUPE_WINDOW = 1024

/** The longest delay setTimeout keeps; a longer one fires at once. */
export const MAX_TIMER_MS = 2147483647

/** Does nothing: a placeholder callback, and what a settled promise's unwanted outcome goes to. */
export function noop(): void {}
