import type { Settings } from '../inputs.ts'
import { createBackup, createSnapshot } from './create.ts'
import { deleteBackup, deleteSnapshot } from './delete.ts'
import { listBackups, listSnapshots } from './list.ts'
import { pruneBackups, pruneSnapshots } from './prune.ts'
import { restoreBackup, restoreSnapshot } from './restore.ts'
import type { Tools } from './tools.ts'
import { waitForBackup, waitForSnapshot } from './wait-later.ts'

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
      return deleteSnapshot(settings, tools)
    case 'delete-backup':
      return deleteBackup(settings, tools)
    case 'wait-snapshot':
      return waitForSnapshot(settings, tools)
    case 'wait-backup':
      return waitForBackup(settings, tools)
    case 'prune-snapshots':
      return pruneSnapshots(settings, tools)
    case 'prune-backups':
      return pruneBackups(settings, tools)
  }
}
