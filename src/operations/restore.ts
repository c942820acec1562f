import type { VpsClient } from '../api/client.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { InputError } from '../errors.ts'
import { parseBoolean, parseId, parseName, parseReference, type CommonSettings, type InputReader, type ItemReference, type SnapshotReference } from '../inputs.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../kinds.ts'
import type { RestoreAction } from '../plan/actions.ts'
import { pickById, pickByName, pickLatest, requireCompleted } from '../plan/selection.ts'
import type { Tools } from '../tools.ts'

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

export function readRestoreSnapshot(read: InputReader): RestoreSnapshotSettings {
  const id = read.optional('snapshot_id')
  const name = read.optional('name')
  if (id !== undefined && name !== undefined) throw new InputError('snapshot_id', 'and input "name" both name the snapshot to restore: give only one')
  if (id === undefined && name === undefined) throw new InputError('snapshot_id', 'or input "name" is required by operation "restore-snapshot"')
  const snapshot: SnapshotReference = name !== undefined ? { name: parseName('name', name) } : parseReference('snapshot_id', id ?? '')
  const server = read.optional('server_id')
  if (server === undefined && !('id' in snapshot)) {
    throw new InputError('server_id', `is required by operation "restore-snapshot" when the snapshot is given by ${'name' in snapshot ? 'name' : '"latest"'}`)
  }
  return { snapshot, serverId: server === undefined ? undefined : parseId('server_id', server), wait: parseBoolean('wait', read.withDefault('wait')) }
}

export function readRestoreBackup(read: InputReader): RestoreBackupSettings {
  return {
    serverId: parseId('server_id', read.required('server_id')),
    backup: parseReference('backup_id', read.required('backup_id')),
    wait: parseBoolean('wait', read.withDefault('wait'))
  }
}

export async function restoreSnapshot(settings: CommonSettings & RestoreSnapshotSettings, tools: Tools): Promise<void> {
  const snapshot = requireCompleted('snapshot', await findSnapshot(settings.snapshot, settings.serverId, tools.client))
  await carryOut({ actions: [restoreAction(SNAPSHOTS, snapshot, tools)] }, settings, tools)
}

export async function restoreBackup(settings: CommonSettings & RestoreBackupSettings, tools: Tools): Promise<void> {
  const backup = requireCompleted('backup', await find(BACKUPS, settings.backup, settings.serverId, tools.client))
  await carryOut({ actions: [restoreAction(BACKUPS, backup, tools)] }, settings, tools)
}

/** The restore of the item's server from it; its outputs name both, in a dry run too. */
export function restoreAction<T extends Snapshot | Backup>(kind: Kind<T>, item: T, tools: Tools): RestoreAction {
  tools.report.set({ [kind.idInput]: item.id, server_id: item.server.id })
  return { do: 'restore', kind: kind.noun, id: item.id, label: kind.label(item), createdAt: item.created_at, serverId: item.server.id }
}

async function findSnapshot(reference: SnapshotReference, serverId: number | undefined, client: VpsClient): Promise<Snapshot> {
  if (!('name' in reference)) return find(SNAPSHOTS, reference, serverId, client)
  return pickByName({ noun: 'snapshot', serverId, items: await SNAPSHOTS.list(client, serverId) }, reference.name)
}

/**
 * An item by id or `latest`. By id, the server's own list is read first; when the id is not
 * there, the whole list tells whether it is another server's (refused) or does not exist.
 */
async function find<T extends Snapshot | Backup>(kind: Kind<T>, reference: ItemReference, serverId: number | undefined, client: VpsClient): Promise<T> {
  const own = serverId === undefined ? undefined : await kind.list(client, serverId)
  if ('latest' in reference) return pickLatest({ noun: kind.noun, serverId, items: own ?? [] })
  const items = own?.some(item => item.id === reference.id) ? own : await kind.list(client)
  return pickById({ noun: kind.noun, serverId, items }, reference.id)
}
