import type { Backup, BackupType, Snapshot } from '../api/types.ts'
import type { VpsClient } from '../api/client.ts'
import { onEachServer } from '../fleet.ts'
import { MAX_PARALLEL, optionalInput, parseBackupType, SOME_SERVER_IDS } from '../inputs.ts'
import { forEachKind } from '../kinds.ts'
import { defineOperation } from '../operation.ts'
import { newestFirst } from '../plan/selection.ts'
import type { Tools } from '../tools.ts'

/**
 * GitHub keeps at most 1 MB of a job's outputs; `items` stays well under it (half), so that the
 * other outputs, and a job output passing it on, still fit. `count` is always exact.
 */
const MAX_ITEMS_OUTPUT_BYTES = 500_000

interface ListSettings {
  /** Every server's when undefined; one server's, or several servers' side by side. */
  serverIds: number[] | undefined
  /** Servers whose lists are read at once. */
  maxParallel: number
  backupType?: BackupType | undefined
}

const BACKUP_TYPE = optionalInput('backup_type', parseBackupType)
const LIST_INPUTS = { serverIds: SOME_SERVER_IDS, maxParallel: MAX_PARALLEL }

const DOCS = {
  snapshot: {
    does: 'Lists snapshots, every page, newest first.',
    gives: "`server_id` to list one server's only, or several servers' (`max_parallel` at once)",
    gets: '`count`, `items` (JSON array); `results` (a count per server) with `server_id`'
  },
  backup: {
    does: 'Lists backups, every page, newest first.',
    gives: '`server_id`, `backup_type` (`manual` or `automatic`) to filter',
    gets: '`count`, `items`; `results` with `server_id`'
  }
}

export const [LIST_SNAPSHOTS, LIST_BACKUPS] = forEachKind(kind =>
  defineOperation({
    operation: `list-${kind.noun}s`,
    ...DOCS[kind.noun],
    // Backups are manual or automatic; a list may ask for one type only.
    inputs: kind.noun === 'backup' ? { ...LIST_INPUTS, backupType: BACKUP_TYPE } : LIST_INPUTS,
    settle: (values): ListSettings => values,
    run: (settings, tools) => {
      const { backupType } = settings
      const noun = backupType ? `${backupType} ${kind.noun}` : kind.noun
      const read: ReadList = (serverId, client) =>
        backupType ? client.listBackups({ serverId, backupType }) : kind.list(client, serverId)
      return listEach(noun, settings, read, tools)
    }
  })
)

type ReadList = (serverId: number | undefined, client: VpsClient) => Promise<Array<Snapshot | Backup>>

/**
 * The account's list, or each named server's, side by side as any fleet (at most `maxParallel`
 * at once, a server whose list is refused failing alone). What was read is reported even when a
 * server failed.
 */
async function listEach(noun: string, settings: ListSettings, read: ReadList, tools: Tools): Promise<void> {
  const { serverIds } = settings
  if (serverIds === undefined) return report(noun, undefined, await read(undefined, tools.client), tools)
  const found = new Map<number, Array<Snapshot | Backup>>()
  try {
    await onEachServer(
      {
        serverIds,
        maxParallel: settings.maxParallel,
        statusOf: 'item',
        work: async (serverId, serverTools) => {
          const items = await read(serverId, serverTools.client)
          found.set(serverId, items)
          serverTools.report.counted(items.length)
        }
      },
      tools
    )
  } finally {
    report(
      noun,
      serverIds,
      serverIds.flatMap(serverId => found.get(serverId) ?? []),
      tools
    )
  }
}

/**
 * Newest first, every page of them, in `items` (bounded) and as a table in the summary; a count per server in
 * `results`.
 */
function report(noun: string, serverIds: number[] | undefined, items: Array<Snapshot | Backup>, tools: Tools): void {
  const sorted = newestFirst(items)
  const kept = newestThatFit(sorted, MAX_ITEMS_OUTPUT_BYTES)
  const [only] = serverIds?.length === 1 ? serverIds : []
  tools.report.set({ count: sorted.length, items: kept })
  tools.report.table(sorted)
  const where =
    serverIds === undefined ? '' : serverIds.length === 1 ? ` on server ${only}` : ` on servers ${serverIds.join(', ')}`
  tools.report.note(`Found ${sorted.length} ${noun}${sorted.length === 1 ? '' : 's'}${where}.`)
  if (kept.length < sorted.length) {
    tools.report.warn(
      `The items output holds the newest ${kept.length} of the ${sorted.length} ${noun}s: ${sorted.length - kept.length} older ones were left out to stay under GitHub's 1 MB limit on outputs (count is exact). Filter by server_id${noun.includes('backup') ? ' or backup_type' : ''} to see them.`
    )
  }
}

/** The longest prefix of `items` whose JSON takes at most `maxBytes`. */
function newestThatFit<T>(items: T[], maxBytes: number): T[] {
  let bytes = 2 // the brackets
  let count = 0
  for (const item of items) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + (count === 0 ? 0 : 1)
    if (bytes > maxBytes) break
    count++
  }
  return items.slice(0, count)
}
