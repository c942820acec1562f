import type { VpsClient } from '../api/client.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { InputError } from '../errors.ts'
import { alone, onEachServer } from '../fleet.ts'
import {
  parseBoolean,
  parseFleetReference,
  parseMaxParallel,
  parseName,
  parseServerIds,
  type CommonSettings,
  type FleetReference,
  type InputReader,
  type ItemReference,
  type SnapshotReference
} from '../inputs.ts'
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

/** A restore as read: for one server or several, each server's item by the same reference or from a create's map. */
export interface RestoreRead<R> {
  reference: R | { byServer: Map<number, number> }
  /** The servers; none given with a snapshot id, which names its own server. */
  serverIds: number[] | undefined
  maxParallel: number
  wait: boolean
}

export function readRestoreSnapshot(read: InputReader): RestoreRead<SnapshotReference> {
  const id = read.optional('snapshot_id')
  const name = read.optional('name')
  if (id !== undefined && name !== undefined) throw new InputError('snapshot_id', 'and input "name" both name the snapshot to restore: give only one')
  if (id === undefined && name === undefined) throw new InputError('snapshot_id', 'or input "name" is required by operation "restore-snapshot"')
  const reference: SnapshotReference | { byServer: Map<number, number> } =
    name !== undefined ? { name: parseName('name', name) } : parseFleetReference('snapshot_id', id ?? '')
  return { reference, ...readServers(read, 'snapshot_id', reference), wait: parseBoolean('wait', read.withDefault('wait')) }
}

export function readRestoreBackup(read: InputReader): RestoreRead<ItemReference> {
  const reference = parseFleetReference('backup_id', read.required('backup_id'))
  const servers = readServers(read, 'backup_id', reference)
  if (servers.serverIds === undefined) throw new InputError('server_id', 'is required by operation "restore-backup"')
  return { reference, ...servers, wait: parseBoolean('wait', read.withDefault('wait')) }
}

/** The servers a restore works on, checked against how the item is given. */
export function readServers(
  read: InputReader,
  idInput: 'snapshot_id' | 'backup_id',
  reference: FleetReference | { name: string }
): { serverIds: number[] | undefined; maxParallel: number } {
  const raw = read.optional('server_id')
  const given = raw === undefined ? undefined : parseServerIds(raw)
  const maxParallel = parseMaxParallel(read.withDefault('max_parallel'))
  const by = 'name' in reference ? 'name' : 'latest' in reference ? '"latest"' : undefined
  if ('byServer' in reference) {
    const mapped = [...reference.byServer.keys()]
    if (given && (given.some(server => !reference.byServer.has(server)) || mapped.some(server => !given.includes(server)))) {
      throw new InputError(
        idInput,
        `names servers ${mapped.join(', ')}, and input "server_id" names ${given.join(', ')}: give the same servers, or leave server_id out`
      )
    }
    return { serverIds: given ?? mapped, maxParallel }
  }
  if (by && !given) throw new InputError('server_id', `is required when the ${idInput === 'snapshot_id' ? 'snapshot' : 'backup'} is given by ${by}`)
  if ('id' in reference && given && given.length > 1) {
    throw new InputError(
      idInput,
      `is one ${idInput === 'snapshot_id' ? 'snapshot' : 'backup'}, of one server, and input "server_id" names ${given.length}: give "latest", a name, or the ${idInput}s map of a create`
    )
  }
  return { serverIds: given, maxParallel }
}

/** Each server restored from its own item: the same reference for all, or its entry in a create's map. */
export async function restoreSnapshots(settings: CommonSettings & RestoreRead<SnapshotReference>, tools: Tools): Promise<void> {
  const one = (serverId: number | undefined, serverTools: Tools) =>
    restoreSnapshot({ ...settings, snapshot: referenceFor(settings.reference, serverId), serverId }, serverTools)
  if (settings.serverIds === undefined) return alone(tools, () => one(undefined, tools))
  await onEachServer(settings.serverIds, settings.maxParallel, tools, one, 'server')
}

export async function restoreBackups(settings: CommonSettings & RestoreRead<ItemReference>, tools: Tools): Promise<void> {
  await onEachServer(
    settings.serverIds ?? [],
    settings.maxParallel,
    tools,
    (serverId, serverTools) => restoreBackup({ ...settings, backup: referenceFor(settings.reference, serverId), serverId }, serverTools),
    'server'
  )
}

function referenceFor<R>(reference: R | { byServer: Map<number, number> }, serverId: number | undefined): R | { id: number } {
  if (typeof reference !== 'object' || reference === null || !('byServer' in reference)) return reference
  return { id: reference.byServer.get(serverId ?? 0) ?? 0 }
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
