import * as core from '@actions/core'
import { isUnreadableSuccess, outcomeUnknown } from '../api/errors.ts'
import { COMPLETED, type Backup, type Snapshot } from '../api/types.ts'
import { OperationError } from '../errors.ts'
import { plain } from '../format.ts'
import type { CommonSettings, CreateSettings } from '../inputs.ts'
import { deletionsBeforeCreate, deletionsBeyondKeep } from '../plan/rotation.ts'
import { stateToSave } from '../state.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from './kinds.ts'
import { deleteChosen, readRotation, type Rotation } from './rotate.ts'
import type { Tools } from './tools.ts'
import { waitForItem } from './wait.ts'

type Create = CommonSettings & CreateSettings

/** Sends of one create at most, adoption checks in between. */
const MAX_CREATE_ATTEMPTS = 3
/** How far the API's clock may be behind the runner's when matching a new item's created_at. */
const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000

/** How a create is sent, and how to recognise what it made if its answer is lost. */
interface Request<T> {
  what: string
  send: () => Promise<T>
  isOurs: (item: T) => boolean
}

export async function createSnapshot(settings: Create & { name: string }, tools: Tools): Promise<void> {
  // The marker opens the description too: a name the user chose may already be in use, the
  // marker (unique to this step) never is, so a lost answer is matched to this create alone.
  const body = { server_id: settings.serverId, name: settings.name, description: `${settings.marker} ${settings.description}` }
  // Read beside the POST, not before it, so the advice costs no time.
  const serverState = settings.dryRun ? undefined : adviseOnRunningServer(settings.serverId, tools)
  await create(SNAPSHOTS, settings, tools, {
    what: `snapshot "${body.name}"`,
    send: () => tools.client.createSnapshot(body),
    isOurs: snapshot => snapshot.name === body.name && (snapshot.description ?? '').startsWith(settings.marker)
  })
  await serverState
}

/** The provider's advice, where a person will see it: a running server's snapshot may be inconsistent. */
async function adviseOnRunningServer(serverId: number, tools: Tools): Promise<void> {
  const server = await tools.client.getServer(serverId).catch(() => undefined)
  if (server?.status === 'running') {
    core.notice(`Server ${serverId} is running: a snapshot of a running server may hold an inconsistent filesystem. The provider advises stopping it first, or quiescing databases and writes.`)
  }
}

export async function createBackup(settings: Create, tools: Tools): Promise<void> {
  // The marker (unique to this step) opens the description: rotation matches it against
  // name_prefix, and a lost answer is matched to the backup it created.
  const body = { server_id: settings.serverId, description: `${settings.marker} ${settings.description}` }
  await create(BACKUPS, settings, tools, {
    what: `manual backup "${body.description}"`,
    send: () => tools.client.createBackup(body),
    isOurs: backup => (backup.description ?? '').startsWith(settings.marker)
  })
}

/**
 * Make room under the provider's limit if rotation is on, POST, remember the new item for a
 * rollback, wait for it, then rotate: deletions come only after the new item is completed.
 */
async function create<T extends Snapshot | Backup>(kind: Kind<T>, settings: Create, tools: Tools, request: Request<T>): Promise<void> {
  const rotation: Rotation<T> = { kind, serverId: settings.serverId, namePrefix: settings.namePrefix, dryRun: settings.dryRun }
  if (settings.keep > 0) tools.outcome.set({ deleted_ids: [] })
  const before = settings.keep > 0 ? await readRotation(rotation, tools) : undefined
  const room = before ? deletionsBeforeCreate(before) : []
  await deleteChosen(rotation, room, `to stay under the limit of ${kind.limit} ${kind.noun}s`, tools)
  if (settings.dryRun) {
    tools.outcome.say(`Dry run: would create ${request.what} of server ${settings.serverId}.`)
    if (!before) return
    const rest = { ...before, items: before.items.filter(item => !room.includes(item)) }
    // The new item would take one of the `keep` places.
    return deleteChosen(rotation, deletionsBeyondKeep(rest, settings.keep - 1), `to keep the newest ${settings.keep}`, tools)
  }
  const created = await sendOnce(kind, settings.serverId, request, tools)
  if (settings.rollbackOnFailure) core.saveState(...stateToSave({ kind: kind.noun, id: created.id, serverId: created.server.id }))
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

/**
 * Sends the create. When its outcome is unknown (the connection dropped after sending, a
 * timeout, a 500/502/504, an unreadable 201), it is never re-sent blindly: the server's list is
 * read first and what the request created, if anything, is adopted. Only when nothing was
 * created is the request sent again.
 */
async function sendOnce<T extends Snapshot | Backup>(kind: Kind<T>, serverId: number, request: Request<T>, tools: Tools): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const sentAt = Date.now()
    try {
      return await request.send()
    } catch (error) {
      if (!outcomeUnknown(error) || attempt >= MAX_CREATE_ATTEMPTS) throw error
      core.info(plain(`No clear answer to the create of ${request.what} (${(error as Error).message}); looking for what it may have created.`))
      const items = await kind.list(tools.client, serverId).catch(() => {
        throw new OperationError(`${(error as Error).message}; it may still have created ${request.what}, which could not be checked: look at the server's ${kind.noun}s`)
      })
      const found = items.find(item => request.isOurs(item) && Date.parse(item.created_at) >= sentAt - CLOCK_SKEW_ALLOWANCE_MS)
      if (found) {
        tools.outcome.say(`The create had gone through although its answer was lost: adopted ${kind.label(found)}.`)
        return found
      }
      if (isUnreadableSuccess(error)) throw error
      core.info(`Nothing was created; sending the create again (attempt ${attempt + 1} of ${MAX_CREATE_ATTEMPTS}).`)
    }
  }
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
