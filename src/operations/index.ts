import type { Settings } from '../inputs.ts'
import { createBackup, createSnapshot } from './create.ts'
import { deleteItem } from './delete.ts'
import { BACKUPS, SNAPSHOTS } from './kinds.ts'
import { listBackups, listSnapshots } from './list.ts'
import { prune } from './prune.ts'
import { restoreBackup, restoreSnapshot } from './restore.ts'
import type { Tools } from './tools.ts'
import { waitLater } from './wait-later.ts'

/** One operation of the contract's table, chosen by `operation`. */
export async function execute(settings: Settings, tools: Tools): Promise<void> {
  switch (settings.operation) {
    case 'create-snapshot':
      return createSnapshot(settings, tools)
    case 'create-backup':
      return createBackup(settings, tools)
    case 'restore-snapshot':
      return restoreSnapshot(settings, tools)
    case 'restore-backup':
      return restoreBackup(settings, tools)
    case 'list-snapshots':
      return listSnapshots(settings, tools)
    case 'list-backups':
      return listBackups(settings, tools)
    case 'delete-snapshot':
      return deleteItem(SNAPSHOTS, settings, tools)
    case 'delete-backup':
      return deleteItem(BACKUPS, settings, tools)
    case 'wait-snapshot':
      return waitLater(SNAPSHOTS, settings, tools)
    case 'wait-backup':
      return waitLater(BACKUPS, settings, tools)
    case 'prune-snapshots':
      return prune(SNAPSHOTS, settings, tools)
    case 'prune-backups':
      return prune(BACKUPS, settings, tools)
  }
}
