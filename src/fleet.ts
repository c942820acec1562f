import { explain, OperationError } from './errors.ts'
import { formatDuration } from './format.ts'
import { itemOf, Recorder, type Outputs, type ServerRow } from './report.ts'
import type { Tools } from './tools.ts'

/**
 * Several servers in one step: each server's work runs side by side with the others, at most
 * `maxParallel` at once, all through the step's one client (one connection pool, one pause when
 * the API asks to slow down, one status board). Each server speaks into a recorder of its own,
 * printed as one block of the log when it ends, so that servers never interleave line by line.
 * One server's failure cancels nothing: every server runs to its end, then the step fails
 * naming each server that failed and why. One server alone runs exactly as it always has.
 */
export async function onEachServer(
  serverIds: readonly number[],
  maxParallel: number,
  tools: Tools,
  work: (serverId: number, tools: Tools) => Promise<void>,
  statusOf: StatusOf = 'item'
): Promise<void> {
  const [only] = serverIds
  if (serverIds.length === 1 && only !== undefined) return alone(tools, () => work(only, tools))
  tools.report.say(`Working on ${serverIds.length} servers, at most ${Math.min(maxParallel, serverIds.length)} at once: ${serverIds.join(', ')}.`)
  const rows = await atMostAtOnce(serverIds, maxParallel, serverId => runOne(serverId, tools, work, statusOf))
  report(rows, tools)
  const failed = rows.filter(row => row.error !== undefined)
  if (failed.length > 0) {
    throw new OperationError(`${failed.length} of ${rows.length} servers failed: ${failed.map(row => `server ${row.serverId}: ${row.error}`).join('; ')}`)
  }
}

/** `task` for each of `items`, at most `maxParallel` running at once; the results in the items' order. */
export async function atMostAtOnce<T, R>(items: readonly T[], maxParallel: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index] as T)
  }
  await Promise.all(Array.from({ length: Math.min(maxParallel, items.length) }, worker))
  return results
}

/**
 * One server (which `work` may find for itself, as a restore by id does): it speaks into the
 * step's own reporter, live, and its row still reaches `results`.
 */
export async function alone(tools: Tools, work: () => Promise<void>): Promise<void> {
  const startedAt = tools.clock.now()
  try {
    await work()
  } finally {
    const outputs = Object.fromEntries(tools.report.outcome.outputs)
    if (outputs.server_id !== undefined)
      tools.report.set(aggregateOutputs([{ serverId: Number(outputs.server_id), outputs, startedAt, endedAt: tools.clock.now() }], false))
  }
}

/** Whose `status` a server's outputs give: the item's (a create, a wait) or the server's (a restore). */
export type StatusOf = 'item' | 'server'

async function runOne(serverId: number, tools: Tools, work: (serverId: number, tools: Tools) => Promise<void>, statusOf: StatusOf): Promise<ServerRow> {
  const recorder = new Recorder()
  const startedAt = tools.clock.now()
  let error: string | undefined
  try {
    await work(serverId, { ...tools, report: recorder })
  } catch (caught) {
    error = explain(caught)
  }
  const row: ServerRow = {
    serverId,
    outputs: Object.fromEntries(recorder.outcome.outputs),
    startedAt,
    endedAt: tools.clock.now(),
    ...(error === undefined ? {} : { error })
  }
  tools.report.block(blockTitle(row, statusOf), recorder.log)
  for (const line of recorder.outcome.lines) if (line.level !== 'note') tools.report.summarize(line.level, `Server ${serverId}: ${line.text}`)
  if (error !== undefined) tools.report.say(`Server ${serverId} failed: ${error}`)
  return row
}

/**
 * `Server 101: snapshot 807 completed, 3 min 2 s`, `Server 101: restore from snapshot 807, server
 * running, 4 min`, or `Server 102: failed after 1.2 s`.
 */
function blockTitle(row: ServerRow, statusOf: StatusOf): string {
  const took = formatDuration(row.endedAt - row.startedAt)
  if (row.error !== undefined) return `Server ${row.serverId}: failed after ${took}`
  const { status } = row.outputs
  const item = itemOf(row.outputs)
  if (statusOf === 'server' && item !== undefined)
    return `Server ${row.serverId}: restore from ${item}${status === undefined ? '' : `, server ${status}`}, ${took}`
  return `Server ${row.serverId}: ${[item, status].filter(Boolean).join(' ') || 'done'}, ${took}`
}

/** The step's outputs and summary for a fleet: `results`, the ids by server, and the table with its timeline. */
function report(rows: ServerRow[], tools: Tools): void {
  tools.report.set(aggregateOutputs(rows, true))
  tools.report.servers(rows)
}

/**
 * `results` (every server, in the order given), `snapshot_ids`/`backup_ids` (server → id, the
 * ones that exist) and `deleted_ids` (every server's); with several servers, the single-value
 * outputs are left to `results`.
 */
export function aggregateOutputs(rows: ServerRow[], fleet: boolean): Outputs {
  const results = rows.map(row => resultOf(row))
  const ids = (name: 'snapshot_id' | 'backup_id') =>
    Object.fromEntries(rows.filter(row => row.outputs[name] !== undefined).map(row => [String(row.serverId), Number(row.outputs[name])]))
  const snapshotIds = ids('snapshot_id')
  const backupIds = ids('backup_id')
  const deleted = rows.flatMap(row => (row.outputs.deleted_ids === undefined ? [] : (JSON.parse(row.outputs.deleted_ids) as number[])))
  return {
    results,
    ...(Object.keys(snapshotIds).length > 0 ? { snapshot_ids: snapshotIds } : {}),
    ...(Object.keys(backupIds).length > 0 ? { backup_ids: backupIds } : {}),
    ...(fleet && rows.some(row => row.outputs.deleted_ids !== undefined) ? { deleted_ids: deleted } : {})
  }
}

const NUMBERS = new Set(['snapshot_id', 'backup_id', 'size_mb', 'count'])

function resultOf(row: ServerRow): Record<string, unknown> {
  const result: Record<string, unknown> = { server_id: row.serverId }
  for (const name of ['snapshot_id', 'snapshot_name', 'backup_id', 'status', 'size_mb', 'created_at', 'count'] as const) {
    const value = row.outputs[name]
    if (value !== undefined) result[name] = NUMBERS.has(name) ? Number(value) : value
  }
  if (row.outputs.deleted_ids !== undefined) result.deleted_ids = JSON.parse(row.outputs.deleted_ids) as number[]
  if (row.error !== undefined) result.error = row.error
  return result
}
