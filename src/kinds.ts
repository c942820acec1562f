import type { VpsClient } from './api/client.ts'
import type { ListPage } from './api/http.ts'
import type { Backup, RestoreAnswer, Snapshot } from './api/types.ts'

export type KindName = 'snapshot' | 'backup'

interface CreateRequest {
  serverId: number
  name: string | undefined
  description: string
}

/** What the operations need to know to treat snapshots and backups alike. */
export interface Kind<T extends Snapshot | Backup> {
  noun: KindName
  idInput: 'snapshot_id' | 'backup_id'
  list(client: VpsClient, serverId?: number): Promise<T[]>
  /** The same list page by page. */
  pages(client: VpsClient, serverId?: number): AsyncGenerator<ListPage<T>>
  remove(client: VpsClient, id: number): Promise<void>
  /** Sends the create: a snapshot needs a name, a backup has none. */
  create(client: VpsClient, request: CreateRequest): Promise<T>
  /** Sends the restore of the item's own server from it. */
  restore(client: VpsClient, item: { id: number; serverId: number }): Promise<RestoreAnswer>
  /** How the log names one: `snapshot 801 "pre-deploy"`. */
  label(item: T): string
  /** The provider's limit per server. */
  limit: number
  /** Made by this action, so rotation may delete it. */
  isOwn(item: T, namePrefix: string): boolean
  /** Made with `protect: true`: no retention rule deletes it. */
  isProtected(item: T, namePrefix: string): boolean
  countsTowardLimit(item: T): boolean
}

/** Ends the marker (see naming.ts) of an item made with `protect: true`, which no retention rule deletes. */
export const PROTECTED_SUFFIX = '-protected'

/** Made with `protect: true`: its description opens with the action's marker, which says so. */
function isProtectedDescription(description: string | null, namePrefix: string): boolean {
  const marker = (description ?? '').split(' ', 1)[0] ?? ''
  return marker.startsWith(namePrefix) && marker.endsWith(PROTECTED_SUFFIX)
}

/** The provider's limits per server, from its API pages. */
const SNAPSHOT_LIMIT = 5
const MANUAL_BACKUP_LIMIT = 10

export const SNAPSHOTS: Kind<Snapshot> = {
  noun: 'snapshot',
  idInput: 'snapshot_id',
  list: (client, serverId) => client.listSnapshots(serverId),
  pages: (client, serverId) => client.snapshotPages(serverId),
  remove: (client, id) => client.deleteSnapshot(id),
  create: (client, { serverId, name, description }) =>
    client.createSnapshot({ server_id: serverId, name: name ?? '', description }),
  restore: (client, snapshot) => client.restoreSnapshot(snapshot.id),
  label: snapshot => `snapshot ${snapshot.id} "${snapshot.name}"`,
  limit: SNAPSHOT_LIMIT,
  // Every snapshot the action creates has its marker (which starts with the prefix) at the start
  // of its description, so one with a custom name is the action's own too.
  isOwn: (snapshot, namePrefix) =>
    snapshot.name.startsWith(namePrefix) || (snapshot.description ?? '').startsWith(namePrefix),
  isProtected: (snapshot, namePrefix) => isProtectedDescription(snapshot.description, namePrefix),
  countsTowardLimit: () => true
}

export const BACKUPS: Kind<Backup> = {
  noun: 'backup',
  idInput: 'backup_id',
  list: (client, serverId) => client.listBackups({ serverId }),
  pages: (client, serverId) => client.backupPages({ serverId }),
  remove: (client, id) => client.deleteBackup(id),
  create: (client, { serverId, description }) => client.createBackup({ server_id: serverId, description }),
  // Backups are restored through the Servers API.
  restore: (client, backup) => client.restoreServer(backup.serverId, backup.id),
  label: backup => `${backup.backup_type} backup ${backup.id}`,
  limit: MANUAL_BACKUP_LIMIT,
  isOwn: (backup, namePrefix) => backup.backup_type === 'manual' && (backup.description ?? '').startsWith(namePrefix),
  isProtected: (backup, namePrefix) => isProtectedDescription(backup.description, namePrefix),
  // Automatic backups follow the plan's retention and are not counted against the manual limit.
  countsTowardLimit: backup => backup.backup_type === 'manual'
}

/** The kind of that name, for code that treats both alike. */
export function kindNamed(noun: KindName): Kind<Snapshot | Backup> {
  return noun === 'snapshot' ? SNAPSHOTS : BACKUPS
}

/** An operation's snapshot and backup variants, declared once: the snapshot's first, as the README lists them. */
export function forEachKind<R>(declare: <T extends Snapshot | Backup>(kind: Kind<T>) => R): [R, R] {
  return [declare(SNAPSHOTS), declare(BACKUPS)]
}
