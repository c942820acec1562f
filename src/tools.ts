import type { VpsClient } from './api/client.ts'
import type { Clock } from './clock.ts'
import type { Reporter } from './report.ts'
import type { RollbackTarget } from './state.ts'
import type { StatusBoard } from './watch/board.ts'
import type { PollTicks } from './watch/ticks.ts'

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
  /** The moments the step checks statuses, shared by every wait. */
  ticks: PollTicks
  /** The status checks of snapshots and backups, shared by every server due at the same tick. */
  board: StatusBoard
  /**
   * A completed item a failed deploy may be rolled back to. The entry point saves what was armed
   * only when the whole step succeeds: a step that failed arms nothing.
   */
  arm(target: RollbackTarget): void
}
