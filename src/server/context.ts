import type { Cors } from './cors'
import type { Hub } from './hub'
import type { ResolvedServerOptions } from './options'

/** What every transport handler of one server shares. */
export interface ServerContext {
  hub: Hub
  options: ResolvedServerOptions
  cors: Cors
  /** Whether `close()` has been called: new connections are refused. */
  isClosed(): boolean
}
