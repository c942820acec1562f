import type { VpsClient } from '../api/client.ts'
import type { Outcome } from '../report.ts'

/** What every operation is handed: the client, where to record what happened, and its deadline. */
export interface Tools {
  client: VpsClient
  outcome: Outcome
  /** Epoch milliseconds at which the operation's `timeout` runs out. */
  deadline: number
}
