// One server through the operations' own entry points, as a step with one `server_id` runs them:
// a fleet of one, on the fleet's path. The tests of one server's rules read better with one id.
import type { Backup, Snapshot } from '../../src/api/types.ts'
import type { CommonSettings, ItemReference, SnapshotReference } from '../../src/inputs.ts'
import type { Kind } from '../../src/kinds.ts'
import { CREATE_BACKUP, CREATE_SNAPSHOT } from '../../src/operations/create.ts'
import { PRUNE_BACKUPS, PRUNE_SNAPSHOTS } from '../../src/operations/prune.ts'
import { RESTORE_BACKUP, RESTORE_SNAPSHOT } from '../../src/operations/restore.ts'
import { WAIT_BACKUP, WAIT_SNAPSHOT } from '../../src/operations/wait.ts'
import type { Tools } from '../../src/tools.ts'

const MAX_PARALLEL = 4

/** What an operation's `run` takes besides the common settings, for one server: `serverId`, not the fleet's. */
type OneServer<Settings> = Omit<Settings, keyof CommonSettings | 'serverIds' | 'maxParallel'> & { serverId: number }

export type CreateSettings = OneServer<Parameters<typeof CREATE_SNAPSHOT.run>[0]>
export type PruneSettings = OneServer<Parameters<typeof PRUNE_SNAPSHOTS.run>[0]>

export function createSnapshot(settings: CommonSettings & CreateSettings, tools: Tools): Promise<void> {
  return CREATE_SNAPSHOT.run({ ...settings, serverIds: [settings.serverId], maxParallel: MAX_PARALLEL }, tools)
}

export function createBackup(settings: CommonSettings & CreateSettings, tools: Tools): Promise<void> {
  return CREATE_BACKUP.run({ ...settings, serverIds: [settings.serverId], maxParallel: MAX_PARALLEL }, tools)
}

export function prune<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & PruneSettings,
  tools: Tools
): Promise<void> {
  return (kind.noun === 'snapshot' ? PRUNE_SNAPSHOTS : PRUNE_BACKUPS).run(
    { ...settings, serverIds: [settings.serverId], maxParallel: MAX_PARALLEL },
    tools
  )
}

export interface RestoreSnapshotSettings {
  snapshot: SnapshotReference
  /** Required with `latest` or a name; with an id, checked against the snapshot's own server. */
  serverId: number | undefined
  wait: boolean
}

export interface RestoreBackupSettings {
  backup: ItemReference
  serverId: number
  wait: boolean
}

export function restoreSnapshot(settings: CommonSettings & RestoreSnapshotSettings, tools: Tools): Promise<void> {
  const serverIds = settings.serverId === undefined ? undefined : [settings.serverId]
  return RESTORE_SNAPSHOT.run(
    { ...settings, reference: settings.snapshot, serverIds, maxParallel: MAX_PARALLEL },
    tools
  )
}

export function restoreBackup(settings: CommonSettings & RestoreBackupSettings, tools: Tools): Promise<void> {
  return RESTORE_BACKUP.run(
    { ...settings, reference: settings.backup, serverIds: [settings.serverId], maxParallel: MAX_PARALLEL },
    tools
  )
}

export function waitLater<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & { id: number; serverId: number; rollbackOnFailure: boolean },
  tools: Tools
): Promise<void> {
  const { serverId, id } = settings
  return (kind.noun === 'snapshot' ? WAIT_SNAPSHOT : WAIT_BACKUP).run(
    { ...settings, serverIds: [serverId], ids: new Map([[serverId, id]]), maxParallel: MAX_PARALLEL },
    tools
  )
}
