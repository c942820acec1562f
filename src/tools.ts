import type { VpsClient } from './api/client.ts'
import type { Backup, Server, Snapshot } from './api/types.ts'
import type { Clock } from './clock.ts'
import type { KindName } from './kinds.ts'
import type { Reporter } from './report.ts'
import type { RollbackTarget } from './state.ts'

/**
 * What every operation is handed (`compose.ts` puts it together): the client, where to say what
 * happens, time, the shared reads and waits, and the rollback to arm. Within a server's work, the
 * client and the reporter are that server's own. The shared reads, the waits and the progress
 * line are declared here by what their users call; `watch/` implements them, above this file.
 */
export interface Tools {
  client: VpsClient
  report: Reporter
  clock: Clock
  /** Epoch milliseconds at which the step's `timeout` runs out. */
  deadline: number
  /** Several servers' lists read at once, where that costs fewer requests. */
  lists: SharedReads
  /** Every wait of the step: the ticks, the sleeping and the shared status reads. */
  poller: Waits
  /** The line that tells a person watching the log where every server is. */
  progress: ServerProgress
  /**
   * A completed item a failed deploy may be rolled back to. The entry point saves what was armed
   * only when the whole step succeeds: a step that failed arms nothing.
   */
  arm(target: RollbackTarget): void
}

/** Several servers' lists of one kind, read together (`watch/lists.ts`). */
export interface SharedReads {
  /**
   * Each server's items of `kind` from one read of the whole list, or undefined when each server is to read its own.
   */
  whole(kind: KindName, serverIds: readonly number[]): Promise<Map<number, Array<Snapshot | Backup>> | undefined>
}

/** The one place that waits (`watch/poller.ts`). */
export interface Waits {
  /** Waits until the watch's check says done; rejects when it throws, or when the deadline comes first. */
  watch<T>(watch: Watch<T>): Promise<T>
}

/** What a status check reads for one server: its list of snapshots or backups, or the server itself. */
type Reads = KindName | 'server'
export type Answer = { of: 'items'; items: Array<Snapshot | Backup> } | { of: 'server'; server: Server }

export interface Check<T> {
  value: T
  status: string
  done: boolean
}

/** One server waiting for something: what to read at each check, and how to judge the answer. */
export interface Watch<T> {
  serverId: number
  /** Log wording: `snapshot 801`, `server 12345`. */
  what: string
  reads: Reads
  /** The server's own client and log: its reads, their retries and each check's line are its own. */
  client: VpsClient
  report: Reporter
  /** A job that may have finished already is checked at once. */
  atOnce: boolean
  /** Judges this server's answer; throwing fails this wait alone. */
  check(answer: Answer): Check<T>
}

/** Where each server of the step is, for the progress line (`watch/progress.ts`). */
export interface ServerProgress {
  /** The step's servers, in the order `server_id` gave, none started yet. */
  start(serverIds: readonly number[]): void
  /** Where one of the started servers is now. */
  set(serverId: number, state: ServerState): void
}

/** Where a server of the step is: not started, at work, waiting on a status, or ended. */
export type ServerState =
  | { at: 'queued' }
  | { at: 'working' }
  /** `what` is waited for (`snapshot 807`), or '' when it is the server itself (a restore). */
  | { at: 'waiting'; what: string; status: string | undefined }
  | { at: 'ended'; outcome: string; failed: boolean }
