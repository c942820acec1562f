import { InputError } from './errors.ts'
import { INPUT_DEFAULTS, InputReader, readCommonSettings, readToken, type CommonSettings, type InputName } from './inputs.ts'
import { BACKUPS, SNAPSHOTS } from './kinds.ts'
import { CREATE_INPUTS, createBackups, createSnapshots, readCreate } from './operations/create.ts'
import { deleteItem, readDelete } from './operations/delete.ts'
import { listBackups, listSnapshots, readList } from './operations/list.ts'
import { pruneEach, readPrune } from './operations/prune.ts'
import { readRestoreBackup, readRestoreSnapshot, restoreBackups, restoreSnapshots } from './operations/restore.ts'
import { readWait, waitForEach } from './operations/wait.ts'
import type { RunContext } from './run-context.ts'
import type { Tools } from './tools.ts'

/**
 * One entry per operation: what it does and takes (for the README's operations table, rendered
 * from here), the inputs it reads besides the common ones (for the reader, which refuses any
 * other, and for the unused-input warning), and how it is read and run.
 */
export interface OperationEntry {
  operation: string
  does: string
  gives: string
  gets: string
  inputs: readonly InputName[]
  /** Needs the run context (repository, run id) to name what it creates. */
  namesThings?: boolean
  /** Reads and checks the operation's own inputs, before any request. */
  read(read: InputReader, common: CommonSettings, run: RunContext | undefined): Prepared
}

/** An operation with its settings read, ready to run. */
export interface Prepared {
  settings: object
  run: (tools: Tools) => Promise<void>
  /** How many servers at once, for an operation that names servers; the post step restores its servers the same way. */
  maxParallel: number
  /** The step was asked to arm the rollback (input `rollback_on_failure`). */
  rollbackOnFailure: boolean
}

function prepared<S extends object>(settings: S, operate: (settings: S, tools: Tools) => Promise<void>): Prepared {
  const maxParallel = 'maxParallel' in settings && typeof settings.maxParallel === 'number' ? settings.maxParallel : Number(INPUT_DEFAULTS.max_parallel)
  const rollbackOnFailure = 'rollbackOnFailure' in settings && settings.rollbackOnFailure === true
  return { settings, run: tools => operate(settings, tools), maxParallel, rollbackOnFailure }
}

function needsRun(run: RunContext | undefined): RunContext {
  if (!run) throw new Error('a create needs the run context to name what it creates')
  return run
}

export const OPERATIONS: readonly OperationEntry[] = [
  {
    operation: 'create-snapshot',
    does: "Takes a snapshot of the server; with `wait` (the default) the step ends when it is completed. With `keep`, deletes the action's older snapshots beyond the newest `keep`. With `rollback_on_failure`, a failure later in the job restores the server from it.",
    gives: '`server_id` (one, or several: a fleet); `name` if you want your own',
    gets: '`snapshot_id`, `snapshot_name`, `status`, `size_mb`, `created_at`, `server_id`; `deleted_ids` with `keep`; `results` and `snapshot_ids` for every server',
    inputs: [...CREATE_INPUTS, 'name'],
    namesThings: true,
    read: (read, common, run) => prepared({ ...common, ...readCreate(read, needsRun(run), 'snapshot') }, createSnapshots)
  },
  {
    operation: 'create-backup',
    does: 'Makes a manual backup of the server, the same way.',
    gives: '`server_id` (one or several); `description` if you want your own',
    gets: '`backup_id`, `status`, `size_mb`, `created_at`, `server_id`; `deleted_ids` with `keep`; `results` and `backup_ids`',
    inputs: CREATE_INPUTS,
    namesThings: true,
    read: (read, common, run) => prepared({ ...common, ...readCreate(read, needsRun(run), 'backup') }, createBackups)
  },
  {
    operation: 'restore-snapshot',
    does: 'Restores the server from a completed snapshot, overwriting its disk; with `wait`, until the server is at rest again (`running` or `stopped`).',
    gives:
      '`snapshot_id` (an id, `latest`, or the `snapshot_ids` of a create) or `name`; `server_id` (one or several) with `latest` or `name`, and to check an id against',
    gets: "`snapshot_id`, `server_id`, `status` (the server's); `results` and `snapshot_ids`",
    inputs: ['snapshot_id', 'name', 'server_id', 'max_parallel', 'wait'],
    read: (read, common) => prepared({ ...common, ...readRestoreSnapshot(read) }, restoreSnapshots)
  },
  {
    operation: 'restore-backup',
    does: 'Restores the server from a completed backup, the same way.',
    gives: '`backup_id` (an id, `latest`, or the `backup_ids` of a create) and `server_id` (one or several; not needed with `backup_ids`)',
    gets: "`backup_id`, `server_id`, `status` (the server's); `results` and `backup_ids`",
    inputs: ['server_id', 'max_parallel', 'backup_id', 'wait'],
    read: (read, common) => prepared({ ...common, ...readRestoreBackup(read) }, restoreBackups)
  },
  {
    operation: 'list-snapshots',
    does: 'Lists snapshots, every page, newest first.',
    gives: "`server_id` to list one server's only, or several servers' (`max_parallel` at once)",
    gets: '`count`, `items` (JSON array); `results` (a count per server) with `server_id`',
    inputs: ['server_id', 'max_parallel'],
    read: read => prepared(readList(read, 'snapshot'), listSnapshots)
  },
  {
    operation: 'list-backups',
    does: 'Lists backups, every page, newest first.',
    gives: '`server_id`, `backup_type` (`manual` or `automatic`) to filter',
    gets: '`count`, `items`; `results` with `server_id`',
    inputs: ['server_id', 'max_parallel', 'backup_type'],
    read: read => prepared(readList(read, 'backup'), listBackups)
  },
  {
    operation: 'delete-snapshot',
    does: 'Deletes a snapshot for good. One already gone is a notice, not a failure.',
    gives: '`snapshot_id`',
    gets: '`deleted_ids`',
    inputs: ['snapshot_id'],
    read: (read, common) => prepared({ ...common, ...readDelete(read, 'snapshot_id') }, (settings, tools) => deleteItem(SNAPSHOTS, settings, tools))
  },
  {
    operation: 'delete-backup',
    does: 'Deletes a backup for good, the same way.',
    gives: '`backup_id`',
    gets: '`deleted_ids`',
    inputs: ['backup_id'],
    read: (read, common) => prepared({ ...common, ...readDelete(read, 'backup_id') }, (settings, tools) => deleteItem(BACKUPS, settings, tools))
  },
  {
    operation: 'wait-snapshot',
    does: 'Waits for a snapshot started earlier with `wait: false`. With `rollback_on_failure`, a failure later in the job restores the server from it: put it right before the deploy.',
    gives: '`snapshot_id` and `server_id`, or the `snapshot_ids` of a create for a fleet',
    gets: "`snapshot_id`, `status` and the rest of the snapshot's outputs; `results` and `snapshot_ids`",
    inputs: ['snapshot_id', 'server_id', 'max_parallel', 'rollback_on_failure'],
    read: (read, common) => prepared({ ...common, ...readWait(read, 'snapshot_id') }, (settings, tools) => waitForEach(SNAPSHOTS, settings, tools))
  },
  {
    operation: 'wait-backup',
    does: 'Waits for a backup started earlier with `wait: false`, the same way.',
    gives: '`backup_id` and `server_id`, or the `backup_ids` of a create',
    gets: '`backup_id`, `status` and the rest; `results` and `backup_ids`',
    inputs: ['backup_id', 'server_id', 'max_parallel', 'rollback_on_failure'],
    read: (read, common) => prepared({ ...common, ...readWait(read, 'backup_id') }, (settings, tools) => waitForEach(BACKUPS, settings, tools))
  },
  {
    operation: 'prune-snapshots',
    does: "Deletes the action's own snapshots beyond the newest `keep`, and nothing else.",
    gives: '`server_id` (one or several), `keep` (1 or more)',
    gets: '`deleted_ids`; `results`',
    inputs: ['server_id', 'max_parallel', 'keep', 'name_prefix'],
    read: (read, common) => prepared({ ...common, ...readPrune(read, 'prune-snapshots') }, (settings, tools) => pruneEach(SNAPSHOTS, settings, tools))
  },
  {
    operation: 'prune-backups',
    does: "Deletes the action's own manual backups beyond the newest `keep`.",
    gives: '`server_id` (one or several), `keep` (1 or more)',
    gets: '`deleted_ids`; `results`',
    inputs: ['server_id', 'max_parallel', 'keep', 'name_prefix'],
    read: (read, common) => prepared({ ...common, ...readPrune(read, 'prune-backups') }, (settings, tools) => pruneEach(BACKUPS, settings, tools))
  }
]

export function findOperation(raw: string): OperationEntry {
  const entry = OPERATIONS.find(candidate => candidate.operation === raw)
  if (!entry) throw new InputError('operation', `must be one of ${OPERATIONS.map(candidate => candidate.operation).join(', ')}; got "${raw}"`)
  return entry
}

export interface ReadOperation extends Prepared {
  operation: string
  common: CommonSettings
  /** Inputs set that the operation does not read: a typo, most likely. */
  ignored: InputName[]
}

/** Every input read and checked, before any request is sent. */
export async function readOperation(): Promise<ReadOperation> {
  // The token is masked before anything else can print it, even in an error about it.
  const apiToken = readToken()
  const entry = findOperation(new InputReader('', []).required('operation'))
  const read = new InputReader(entry.operation, entry.inputs)
  const common = readCommonSettings(read, apiToken)
  // The run context (and @actions/github with it) is loaded only by the operations that name things.
  const run = entry.namesThings ? (await import('./run-context.ts')).currentRun() : undefined
  return { operation: entry.operation, common, ...entry.read(read, common, run), ignored: read.ignored() }
}
