import type { VpsClient } from './api/client.ts'
import type { Clock } from './clock.ts'
import type { Reporter } from './report.ts'
import type { RollbackTarget } from './state.ts'
import type { SharedLists } from './watch/lists.ts'
import type { Poller } from './watch/poller.ts'
import type { Progress } from './watch/progress.ts'

/**
 * What every operation is handed (`compose.ts` puts it together): the client, where to say what
 * happens, time, the shared reads and waits, and the rollback to arm. Within a server's work, the
 * client and the reporter are that server's own.
 */
export interface Tools {
  client: VpsClient
  report: Reporter
  clock: Clock
  /** Epoch milliseconds at which the step's `timeout` runs out. */
  deadline: number
  /** Several servers' lists read at once, where that costs fewer requests. */
  lists: SharedLists
  /** Every wait of the step: the ticks, the sleeping and the shared status reads. */
  poller: Poller
  /** The line that tells a person watching the log where every server is. */
  progress: Progress
  /**
   * A completed item a failed deploy may be rolled back to. The entry point saves what was armed
   * only when the whole step succeeds: a step that failed arms nothing.
   */
  arm(target: RollbackTarget): void
}
