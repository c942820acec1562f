import type { Backup, BackupType, Snapshot } from '../api/types.ts'
import { newestFirst } from '../plan/selection.ts'
import { BACKUPS, SNAPSHOTS } from './kinds.ts'
import type { Tools } from './tools.ts'

export async function listSnapshots(settings: { serverId: number | undefined }, tools: Tools): Promise<void> {
  report('snapshot', settings.serverId, await SNAPSHOTS.list(tools.client, settings.serverId), tools)
}

export async function listBackups(settings: { serverId: number | undefined; backupType: BackupType | undefined }, tools: Tools): Promise<void> {
  const backups = await tools.client.listBackups({ serverId: settings.serverId, backupType: settings.backupType })
  report(settings.backupType ? `${settings.backupType} backup` : 'backup', settings.serverId, backups, tools)
}

/** Newest first, every page of them, in `items` and as a table in the summary. */
function report(noun: string, serverId: number | undefined, items: Array<Snapshot | Backup>, tools: Tools): void {
  const sorted = newestFirst(items)
  tools.outcome.set({ count: sorted.length, items: sorted, ...(serverId === undefined ? {} : { server_id: serverId }) })
  tools.outcome.table = sorted
  tools.outcome.say(`Found ${sorted.length} ${noun}${sorted.length === 1 ? '' : 's'}${serverId === undefined ? '' : ` on server ${serverId}`}.`)
}
