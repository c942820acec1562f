import type { Backup, Snapshot } from '../api/types.ts'
import { InputError } from '../errors.ts'
import { carryOut } from '../execute/index.ts'
import { onEachServer } from '../fleet.ts'
import { parseCount, parseName, readFleet, type CommonSettings, type Fleet, type InputReader } from '../inputs.ts'
import type { Kind } from '../kinds.ts'
import { deletionOf } from '../plan/actions.ts'
import { deletionsBeyondKeep, rotationOf } from '../plan/rotation.ts'
import type { Tools } from '../tools.ts'

export interface PruneSettings {
  serverId: number
  keep: number
  namePrefix: string
}

export function readPrune(read: InputReader, operation: string): Omit<PruneSettings, 'serverId'> & Fleet {
  const fleet = readFleet(read)
  const keep = parseCount('keep', read.withDefault('keep'))
  if (keep === 0) throw new InputError('keep', `must be at least 1 for operation "${operation}" (0 means never delete)`)
  return { ...fleet, keep, namePrefix: parseName('name_prefix', read.withDefault('name_prefix')) }
}

/** Each server pruned on its own, side by side, from one shared read of the lists where that is cheaper. */
export async function pruneEach<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & Omit<PruneSettings, 'serverId'> & Fleet,
  tools: Tools
): Promise<void> {
  const shared = await tools.lists.whole(kind.noun, settings.serverIds)
  await onEachServer(
    {
      serverIds: settings.serverIds,
      maxParallel: settings.maxParallel,
      statusOf: 'item',
      work: async (serverId, serverTools) => {
        const items = (shared?.get(serverId) as T[] | undefined) ?? (await kind.list(serverTools.client, serverId))
        await prune(kind, { ...settings, serverId }, items, serverTools)
      }
    },
    tools
  )
}

/** Rotation alone: the action's own items beyond the newest `keep`, oldest first. */
async function prune<T extends Snapshot | Backup>(kind: Kind<T>, settings: CommonSettings & PruneSettings, items: T[], tools: Tools): Promise<void> {
  const { serverId, keep, namePrefix } = settings
  tools.report.mayDelete()
  const input = rotationOf(kind, items, namePrefix)
  const own = items.filter(input.isOwn).length
  tools.report.note(
    `Server ${serverId} has ${own} ${kind.noun}${own === 1 ? '' : 's'} made by this action (name_prefix "${namePrefix}"); keeping the newest ${keep}.`
  )
  const actions = deletionsBeyondKeep(input, keep).map(item => deletionOf(kind, item, { reason: `to keep the newest ${keep}` }))
  await carryOut({ actions }, { ...settings, wait: false }, tools)
}
