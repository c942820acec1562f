import { JsonHttp, type HttpOptions, type ListPage, type Shape } from './http.ts'
import type { Backup, BackupType, Item, RestoreAnswer, Server, Snapshot } from './types.ts'

interface BackupFilter {
  serverId?: number | undefined
  backupType?: BackupType | undefined
}

/** The VPS.org endpoints this action uses, each answer checked against the shape it documents. */
export class VpsClient {
  readonly #http: JsonHttp

  constructor(options: HttpOptions | JsonHttp) {
    this.#http = options instanceof JsonHttp ? options : new JsonHttp(options)
  }

  /** The same client, its retries told to `onRetry`: each server's in its own log, naming it. */
  retryingInto(onRetry: (line: string) => void): VpsClient {
    return new VpsClient(this.#http.retryingInto(onRetry))
  }

  async listSnapshots(serverId?: number): Promise<Snapshot[]> {
    return this.#http.getAll('/snapshots/', { server_id: serverId }, SNAPSHOT)
  }

  /** The snapshot list page by page, for a reader that decides after the first how much to read. */
  snapshotPages(serverId?: number): AsyncGenerator<ListPage<Snapshot>> {
    return this.#http.pages('/snapshots/', { server_id: serverId }, SNAPSHOT)
  }

  async createSnapshot(request: { server_id: number; name: string; description: string }): Promise<Snapshot> {
    return this.#http.send('POST', '/snapshots/', SNAPSHOT, request)
  }

  async restoreSnapshot(snapshotId: number): Promise<RestoreAnswer> {
    return this.#http.send('POST', `/snapshots/${snapshotId}/restore/`, RESTORE_ANSWER)
  }

  async deleteSnapshot(snapshotId: number): Promise<void> {
    await this.#http.send('DELETE', `/snapshots/${snapshotId}/`, ANYTHING)
  }

  async listBackups(filter: BackupFilter = {}): Promise<Backup[]> {
    return this.#http.getAll('/backups/', { server_id: filter.serverId, backup_type: filter.backupType }, BACKUP)
  }

  backupPages(filter: BackupFilter = {}): AsyncGenerator<ListPage<Backup>> {
    return this.#http.pages('/backups/', { server_id: filter.serverId, backup_type: filter.backupType }, BACKUP)
  }

  async createBackup(request: { server_id: number; description: string }): Promise<Backup> {
    return this.#http.send('POST', '/backups/', BACKUP, request)
  }

  async deleteBackup(backupId: number): Promise<void> {
    await this.#http.send('DELETE', `/backups/${backupId}/`, ANYTHING)
  }

  /** The Servers API's restore, the one that takes a backup. */
  async restoreServer(serverId: number, backupId: number): Promise<RestoreAnswer> {
    return this.#http.send('POST', `/servers/${serverId}/restore/`, RESTORE_ANSWER, { backup_id: backupId })
  }

  async getServer(serverId: number): Promise<Server> {
    return this.#http.send('GET', `/servers/${serverId}/`, SERVER)
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function isItem(value: unknown): value is Item {
  return (
    isRecord(value) &&
    typeof value.id === 'number' &&
    typeof value.status === 'string' &&
    typeof value.created_at === 'string' &&
    isRecord(value.server) &&
    typeof value.server.id === 'number'
  )
}

function isServer(value: unknown): value is Server {
  return isRecord(value) && typeof value.id === 'number' && typeof value.status === 'string'
}

const SNAPSHOT: Shape<Snapshot> = {
  is: (value): value is Snapshot => isItem(value) && typeof (value as Partial<Snapshot>).name === 'string',
  description: 'snapshot (id, name, status, server, created_at)'
}
const BACKUP: Shape<Backup> = {
  is: isItem as Shape<Backup>['is'],
  description: 'backup (id, status, server, created_at)'
}
const SERVER: Shape<Server> = { is: isServer, description: 'server (id, status)' }
const RESTORE_ANSWER: Shape<RestoreAnswer> = {
  is: (value): value is RestoreAnswer => isRecord(value) && isServer(value.server),
  description: 'restore answer naming the server and its status'
}
/** A DELETE answers 204 with no body; whatever else it sends is not read. */
const ANYTHING: Shape<unknown> = { is: (_value): _value is unknown => true, description: 'anything' }
