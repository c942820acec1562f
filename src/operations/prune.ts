import type { Backup, Snapshot } from '../api/types.ts'
import { InputError } from '../errors.ts'
import { carryOut } from '../execute/index.ts'
import { onEachServer } from '../fleet.ts'
import { KEEP, MAX_PARALLEL, NAME_PREFIX, SERVER_IDS, type CommonSettings } from '../inputs.ts'
import { forEachKind, type Kind } from '../kinds.ts'
import { defineOperation } from '../operation.ts'
import { deletionOf } from '../plan/actions.ts'
import { deletionsBeyondKeep, rotationOf } from '../plan/rotation.ts'
import type { Tools } from '../tools.ts'

export interface PruneSettings {
  serverId: number
  keep: number
  namePrefix: string
}

const PRUNE_INPUTS = { serverIds: SERVER_IDS, maxParallel: MAX_PARALLEL, keep: KEEP, namePrefix: NAME_PREFIX }

const DOCS = {
  snapshot: {
    does: "Deletes the action's own snapshots beyond the newest `keep`, and nothing else.",
    gives: '`server_id` (one or several), `keep` (1 or more)',
    gets: '`deleted_ids`; `results`'
  },
  backup: {
    does: "Deletes the action's own manual backups beyond the newest `keep`.",
    gives: '`server_id` (one or several), `keep` (1 or more)',
    gets: '`deleted_ids`; `results`'
  }
}

export const [PRUNE_SNAPSHOTS, PRUNE_BACKUPS] = forEachKind(kind => {
  const operation = `prune-${kind.noun}s`
  return defineOperation({
    operation,
    ...DOCS[kind.noun],
    inputs: PRUNE_INPUTS,
    settle: values => {
      if (values.keep === 0) throw new InputError('keep', `must be at least 1 for operation "${operation}" (0 means never delete)`)
      return values
    },
    run: (settings, tools) => pruneEach(kind, settings, tools)
  })
})

type PruneRead = Omit<PruneSettings, 'serverId'> & { serverIds: number[]; maxParallel: number }

/** Each server pruned on its own, side by side, from one shared read of the lists where that is cheaper. */
async function pruneEach<T extends Snapshot | Backup>(kind: Kind<T>, settings: CommonSettings & PruneRead, tools: Tools): Promise<void> {
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
