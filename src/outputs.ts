import type { Backup, Snapshot } from './api/types.ts'
import type { Action } from './plan/actions.ts'

/** Every output of `action.yml`; a test keeps the two in step. */
export const OUTPUT_NAMES = [
  'snapshot_id',
  'snapshot_name',
  'backup_id',
  'server_id',
  'status',
  'size_mb',
  'created_at',
  'count',
  'items',
  'deleted_ids',
  'results',
  'snapshot_ids',
  'backup_ids'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]
export type Outputs = Partial<Record<OutputName, string | number | unknown[] | Record<string, unknown>>>

/**
 * What one server's work found and did, recorded as it goes (so that a failure keeps what was
 * known before it): the item it made, waited for or restores from, as last seen; the server's own
 * status after a restore; what rotation deleted; how many items a list found.
 */
export interface ServerFacts {
  /** The item the work was given by id, before it is read (or when it cannot be). */
  asked?: { kind: 'snapshot' | 'backup'; id: number } | undefined
  item?: Snapshot | Backup | undefined
  serverStatus?: string | undefined
  /** Set (empty at first) once the work deletes anything, or may: rotation, a prune. */
  deletedIds?: number[] | undefined
  count?: number | undefined
  /** Where retention rules applied: each of the action's own items, newest first, and what keeps it. */
  retention?: RetentionRow[] | undefined
  /** What keeps a create's new item besides its being just made: the rules it counts for, or its protection. */
  retentionOfNew?: string | undefined
}

/** One of the action's own items as retention judged it: the words of what keeps it, or undefined when it goes. */
export interface RetentionRow {
  item: Snapshot | Backup
  kept: string | undefined
}

/** One server of a step, as it ended: for the outputs, the job summary's table and its timeline. */
export interface ServerResult extends ServerFacts {
  serverId: number
  /** The step's clock, when its work started and ended. */
  startedAt: number
  endedAt: number
  /** Why this server failed, in one line. */
  error?: string | undefined
  /** Why nothing was done for it, though it did not fail itself (a restore held back for the fleet). */
  heldBack?: string | undefined
  /** In a dry run: what its plan would do. */
  planned?: readonly Action[] | undefined
}

/** Whose `status` a server's outputs give: the item's (a create, a wait) or the server's (a restore). */
export type StatusOf = 'item' | 'server'

/**
 * The step's outputs from its servers' results, for one server or a hundred, in the order
 * `server_id` gave: `results` (a row per server), `snapshot_ids`/`backup_ids` (server → id, for the
 * servers that have one), `deleted_ids` (every server's), and with one server the single-value
 * outputs too. Pure: the same results always give the same outputs.
 */
export function renderOutputs(results: readonly ServerResult[], statusOf: StatusOf): Outputs {
  const [only] = results.length === 1 ? results : []
  const deleting = results.some(result => result.deletedIds !== undefined)
  return {
    ...(only === undefined ? {} : singleValues(only, statusOf)),
    results: results.map(result => rowOf(result, statusOf)),
    ...idsByServer(results, 'snapshot'),
    ...idsByServer(results, 'backup'),
    ...(deleting ? { deleted_ids: results.flatMap(result => result.deletedIds ?? []) } : {})
  }
}

/** A server's row of `results`: what it made or used, its status, and its error if it failed. */
function rowOf(result: ServerResult, statusOf: StatusOf): Record<string, unknown> {
  return {
    server_id: result.serverId,
    ...(result.item === undefined ? askedFields(result) : itemFields(result.item)),
    ...optional('status', statusOf === 'server' ? result.serverStatus : result.item?.status),
    ...optional('count', result.count),
    ...optional('deleted_ids', result.deletedIds),
    ...optional('error', result.error ?? result.heldBack)
  }
}

/** With one server: the outputs a single-server step has always set. */
function singleValues(result: ServerResult, statusOf: StatusOf): Outputs {
  const fields = statusOf === 'server' ? restoreFields(result.item) : itemFields(result.item)
  if (result.item === undefined && result.asked !== undefined) Object.assign(fields, askedFields(result))
  return {
    ...fields,
    server_id: result.serverId,
    ...optional('status', statusOf === 'server' ? result.serverStatus : result.item?.status)
  }
}

function itemFields(item: Snapshot | Backup | undefined): Outputs {
  if (item === undefined) return {}
  return {
    ...('name' in item ? { snapshot_id: item.id, snapshot_name: item.name } : { backup_id: item.id }),
    ...optional('size_mb', item.size_mb ?? undefined),
    created_at: item.created_at
  }
}

/** A restore's outputs name what it restored from; its `status` is the server's. */
function restoreFields(item: Snapshot | Backup | undefined): Outputs {
  if (item === undefined) return {}
  return 'name' in item ? { snapshot_id: item.id } : { backup_id: item.id }
}

function askedFields({ asked }: ServerFacts): Outputs {
  return asked === undefined ? {} : { [`${asked.kind}_id`]: asked.id }
}

function idsByServer(results: readonly ServerResult[], kind: 'snapshot' | 'backup'): Outputs {
  const entries = results.flatMap(result =>
    result.item !== undefined && 'name' in result.item === (kind === 'snapshot')
      ? [[String(result.serverId), result.item.id] as const]
      : []
  )
  return entries.length === 0 ? {} : { [`${kind}_ids`]: Object.fromEntries(entries) }
}

function optional<K extends string, V>(name: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, V>)
}
