import * as core from '@actions/core'
import type { Backup, Snapshot } from '../api/types.ts'
import { COMPLETED } from '../api/types.ts'
import type { CommonSettings, CreateSettings } from '../inputs.ts'
import { deletionsBeforeCreate, deletionsBeyondKeep } from '../plan/rotation.ts'
import { saveRollbackTarget } from '../state.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from './kinds.ts'
import { deleteChosen, readRotation, type Rotation } from './rotate.ts'
import type { Tools } from './tools.ts'
import { waitForItem } from './wait.ts'

type Create = CommonSettings & CreateSettings

export async function createSnapshot(settings: Create & { name: string }, tools: Tools): Promise<void> {
  const request = { server_id: settings.serverId, name: settings.name, description: settings.description }
  await create(SNAPSHOTS, settings, tools, `snapshot "${request.name}"`, () => tools.client.createSnapshot(request))
}

export async function createBackup(settings: Create, tools: Tools): Promise<void> {
  // The marker opens the description: rotation matches it against name_prefix.
  const request = { server_id: settings.serverId, description: `${settings.marker} ${settings.description}` }
  await create(BACKUPS, settings, tools, `manual backup "${request.description}"`, () => tools.client.createBackup(request))
}

/**
 * Make room under the provider's limit if rotation is on, POST, remember the new item for a
 * rollback, wait for it, then rotate: deletions come only after the new item is completed.
 */
async function create<T extends Snapshot | Backup>(kind: Kind<T>, settings: Create, tools: Tools, what: string, post: () => Promise<T>): Promise<void> {
  const rotation: Rotation<T> = { kind, serverId: settings.serverId, namePrefix: settings.namePrefix, dryRun: settings.dryRun }
  const before = settings.keep > 0 ? await readRotation(rotation, tools) : undefined
  const room = before ? deletionsBeforeCreate(before) : []
  await deleteChosen(rotation, room, `to stay under the limit of ${kind.limit} ${kind.noun}s`, tools)
  if (settings.dryRun) {
    tools.outcome.say(`Dry run: would create ${what} of server ${settings.serverId}.`)
    if (!before) return
    const rest = { ...before, items: before.items.filter(item => !room.includes(item)) }
    // The new item would take one of the `keep` places.
    return deleteChosen(rotation, deletionsBeyondKeep(rest, settings.keep - 1), `to keep the newest ${settings.keep}`, tools)
  }
  const created = await post()
  if (settings.rollbackOnFailure) saveRollbackTarget({ kind: kind.noun, id: created.id, serverId: created.server.id })
  tools.outcome.item(created)
  tools.outcome.say(`Started ${kind.label(created)} of server ${created.server.id}.`)
  const done = settings.wait ? await waitForItem(kind, created.id, created.server.id, settings, tools) : created
  if (settings.wait) tools.outcome.say(`${capitalise(kind.label(done))} is ${done.status}${done.size_mb === null ? '' : ` (${done.size_mb} MB)`}.`)
  if (settings.keep === 0) return
  if (done.status !== COMPLETED) {
    return core.notice(`Rotation skipped: ${kind.label(done)} is not completed yet (wait is false). Run prune-${kind.noun}s once it is.`)
  }
  const after = await readRotation(rotation, tools)
  await deleteChosen(rotation, deletionsBeyondKeep(after, settings.keep, done.id), `to keep the newest ${settings.keep}`, tools)
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
