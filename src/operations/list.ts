import type { Backup, BackupType, Snapshot } from '../api/types.ts'
import { parseBackupType, parseId, type InputReader } from '../inputs.ts'
import { SNAPSHOTS } from '../kinds.ts'
import { newestFirst } from '../plan/selection.ts'
import type { Tools } from '../tools.ts'

/**
 * GitHub keeps at most 1 MB of a job's outputs; `items` stays well under it (half), so that the
 * other outputs, and a job output passing it on, still fit. `count` is always exact.
 */
export const MAX_ITEMS_OUTPUT_BYTES = 500_000

export interface ListSettings {
  serverId: number | undefined
  backupType?: BackupType | undefined
}

export function readList(read: InputReader, kind: 'snapshot' | 'backup'): ListSettings {
  const server = read.optional('server_id')
  const type = kind === 'backup' ? read.optional('backup_type') : undefined
  return { serverId: server === undefined ? undefined : parseId('server_id', server), backupType: type === undefined ? undefined : parseBackupType(type) }
}

export async function listSnapshots(settings: ListSettings, tools: Tools): Promise<void> {
  report('snapshot', settings.serverId, await SNAPSHOTS.list(tools.client, settings.serverId), tools)
}

export async function listBackups(settings: ListSettings, tools: Tools): Promise<void> {
  const backups = await tools.client.listBackups({ serverId: settings.serverId, backupType: settings.backupType })
  report(settings.backupType ? `${settings.backupType} backup` : 'backup', settings.serverId, backups, tools)
}

/** Newest first, every page of them, in `items` (bounded) and as a table in the summary. */
function report(noun: string, serverId: number | undefined, items: Array<Snapshot | Backup>, tools: Tools): void {
  const sorted = newestFirst(items)
  const kept = newestThatFit(sorted, MAX_ITEMS_OUTPUT_BYTES)
  tools.report.set({ count: sorted.length, items: kept, ...(serverId === undefined ? {} : { server_id: serverId }) })
  tools.report.table(sorted)
  tools.report.note(`Found ${sorted.length} ${noun}${sorted.length === 1 ? '' : 's'}${serverId === undefined ? '' : ` on server ${serverId}`}.`)
  if (kept.length < sorted.length) {
    tools.report.warn(
      `The items output holds the newest ${kept.length} of the ${sorted.length} ${noun}s: ${sorted.length - kept.length} older ones were left out to stay under GitHub's 1 MB limit on outputs (count is exact). Filter by server_id${noun.includes('backup') ? ' or backup_type' : ''} to see them.`
    )
  }
}

/** The longest prefix of `items` whose JSON takes at most `maxBytes`. */
export function newestThatFit<T>(items: T[], maxBytes: number): T[] {
  let bytes = 2 // the brackets
  let count = 0
  for (const item of items) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + (count === 0 ? 0 : 1)
    if (bytes > maxBytes) break
    count++
  }
  return items.slice(0, count)
}
