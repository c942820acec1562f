import type { Backup, Snapshot } from '../api/types.ts'
import type { CommonSettings } from '../inputs.ts'
import { deletionsBeyondKeep } from '../plan/rotation.ts'
import type { Kind } from './kinds.ts'
import { deleteChosen, readRotation } from './rotate.ts'
import type { Tools } from './tools.ts'

type Prune = CommonSettings & { serverId: number; keep: number }

/** Rotation alone: the action's own items beyond the newest `keep`, oldest first. */
export async function prune<T extends Snapshot | Backup>(kind: Kind<T>, settings: Prune, tools: Tools): Promise<void> {
  const rotation = { kind, serverId: settings.serverId, namePrefix: settings.namePrefix, dryRun: settings.dryRun }
  const input = await readRotation(rotation, tools)
  const chosen = deletionsBeyondKeep(input, settings.keep)
  tools.outcome.set({ server_id: settings.serverId, deleted_ids: [] })
  const own = input.items.filter(input.isOwn).length
  tools.outcome.say(`Server ${settings.serverId} has ${own} ${kind.noun}${own === 1 ? '' : 's'} starting with "${settings.namePrefix}"; keeping the newest ${settings.keep}.`)
  await deleteChosen(rotation, chosen, `to keep the newest ${settings.keep}`, tools)
}
