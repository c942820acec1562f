import * as core from '@actions/core'
import type { VpsClient } from '../api/client.ts'
import { isUnreadableSuccess, outcomeUnknown } from '../api/errors.ts'
import type { Backup, RestoreAnswer, Snapshot } from '../api/types.ts'
import { plain } from '../format.ts'
import type { CommonSettings, ItemReference, SnapshotReference } from '../inputs.ts'
import { pickById, pickByName, pickLatest, requireCompleted } from '../plan/selection.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from './kinds.ts'
import type { Tools } from './tools.ts'
import { waitForRestore } from './wait.ts'

export async function restoreSnapshot(settings: CommonSettings & { snapshot: SnapshotReference; serverId: number | undefined }, tools: Tools): Promise<void> {
  const snapshot = requireCompleted('snapshot', await findSnapshot(settings.snapshot, settings.serverId, tools.client))
  await restoreItem(SNAPSHOTS, snapshot, settings, tools)
}

export async function restoreBackup(settings: CommonSettings & { backup: ItemReference; serverId: number }, tools: Tools): Promise<void> {
  const backup = requireCompleted('backup', await find(BACKUPS, settings.backup, settings.serverId, tools.client))
  await restoreItem(BACKUPS, backup, settings, tools)
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

/** The server statuses of a server no restore has touched. */
const AT_REST = ['running', 'stopped']

/**
 * Sends the restore. When its outcome is unknown it is never re-sent blindly: a server that is
 * no longer at rest (stopping, restoring) had accepted it. Only a server at rest gets it again.
 */
async function sendRestoreOnce<T extends Snapshot | Backup>(kind: Kind<T>, item: T, tools: Tools): Promise<RestoreAnswer> {
  try {
    return await kind.restore(tools.client, item)
  } catch (error) {
    if (!outcomeUnknown(error)) throw error
    core.info(plain(`No clear answer to the restore (${(error as Error).message}); reading the server's status.`))
    const server = await tools.client.getServer(item.server.id)
    // A server at rest did not get it; one stopping or restoring did (it is stopped first).
    if (!AT_REST.includes(server.status) || isUnreadableSuccess(error)) {
      return { status: 'accepted', message: 'the restore was accepted (its answer was lost on the way)', server }
    }
    core.info(`Server ${server.id} is ${plain(server.status)}, so the restore was not received; sending it once more.`)
    return kind.restore(tools.client, item)
  }
}

/** Restores the server from an item already checked, then waits for it if asked to. */
export async function restoreItem<T extends Snapshot | Backup>(kind: Kind<T>, item: T, settings: CommonSettings, tools: Tools): Promise<void> {
  const serverId = item.server.id
  tools.outcome.set({ [kind.idInput]: item.id, server_id: serverId })
  if (settings.dryRun) {
    return tools.outcome.say(`Dry run: would restore server ${serverId} from ${kind.label(item)} of ${item.created_at}, overwriting its disk.`)
  }
  const answer = await sendRestoreOnce(kind, item, tools)
  tools.outcome.set({ status: answer.server.status })
  tools.outcome.say(`Restoring server ${serverId} from ${kind.label(item)} of ${item.created_at}: ${answer.message ?? answer.status}`)
  if (!settings.wait) return
  const server = await waitForRestore(serverId, settings, tools)
  tools.outcome.say(`Server ${serverId} is ${server.status} again after the restore.`)
}
