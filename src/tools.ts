import type { VpsClient } from './api/client.ts'
import type { Clock } from './clock.ts'
import type { Reporter } from './report.ts'
import type { RollbackTarget } from './state.ts'

/** What every operation is handed: the client, where to say what happens, time, and the rollback to arm. */
export interface Tools {
  client: VpsClient
  report: Reporter
  clock: Clock
  /** Epoch milliseconds at which the step's `timeout` runs out. */
  deadline: number
  /** The step's `timeout` and `poll_interval`, in milliseconds. */
  timeoutMs: number
  pollIntervalMs: number
  /**
   * A completed item a failed deploy may be rolled back to. The entry point saves what was armed
   * only when the whole step succeeds: a step that failed arms nothing.
   */
  arm(target: RollbackTarget): void
}
