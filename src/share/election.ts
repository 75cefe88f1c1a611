import type { ElectionMessage } from './channel-election'

/** What an election tells the tab taking part in it. */
export interface ElectionEvents {
  /** This tab leads now, until it leaves or `follow()` is called. */
  lead(): void
  /** Another tab took the lead from this one (only the channel election takes it back). */
  follow(): void
}

/** One tab's part in electing the tab that holds the shared connection. */
export interface Election {
  /** Takes part; `lead()` follows when this tab is elected. Does nothing while taking part. */
  join(): void
  /** Stops taking part and gives the lead up at once if held. Idempotent; `join()` returns. */
  leave(): void
  /** A message of the election from another tab (the channel election's; others have none). */
  receive(message: ElectionMessage): void
}
