import type { Backup, Snapshot } from '../api/types.ts'
import { InputError } from '../errors.ts'
import { carryOut } from '../execute/index.ts'
import { onEachServer } from '../fleet.ts'
import { MAX_PARALLEL, NAME_PREFIX, RETENTION_INPUTS, SERVER_IDS, type CommonSettings } from '../inputs.ts'
import { forEachKind, type Kind } from '../kinds.ts'
import { defineOperation } from '../operation.ts'
import { deletionOf } from '../plan/actions.ts'
import {
  deletionReason,
  describeVerdict,
  describeRules,
  hasRules,
  planPrune,
  retentionOf,
  type RetentionRules
} from '../plan/retention.ts'
import type { Tools } from '../tools.ts'

interface PruneSettings extends RetentionRules {
  serverId: number
  namePrefix: string
}

const PRUNE_INPUTS = { serverIds: SERVER_IDS, maxParallel: MAX_PARALLEL, ...RETENTION_INPUTS, namePrefix: NAME_PREFIX }

const DOCS = {
  snapshot: {
    does: "Deletes the action's own snapshots that no retention rule keeps, and nothing else; the newest completed one always stays.",
    gives:
      '`server_id` (one or several) and at least one rule: `keep`, `keep_within`, `keep_daily`, `keep_weekly`, `keep_monthly`',
    gets: '`deleted_ids`; `results`'
  },
  backup: {
    does: "Deletes the action's own manual backups that no retention rule keeps, the same way.",
    gives: '`server_id` (one or several) and at least one rule',
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
      if (!hasRules(values)) {
        throw new InputError(
          'keep',
          `or another retention rule (keep_within, keep_daily, keep_weekly, keep_monthly) is required by operation "${operation}": with none, it would delete nothing`
        )
      }
      return values
    },
    run: (settings, tools) => pruneEach(kind, settings, tools)
  })
})

type PruneRead = Omit<PruneSettings, 'serverId'> & { serverIds: number[]; maxParallel: number }

/** Each server pruned on its own, side by side, from one shared read of the lists where that is cheaper. */
async function pruneEach<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & PruneRead,
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

/** Retention alone: the action's own items that no rule keeps, oldest first. */
async function prune<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & PruneSettings,
  items: T[],
  tools: Tools
): Promise<void> {
  const { serverId, namePrefix } = settings
  tools.report.mayDelete()
  const plan = planPrune(retentionOf(kind, items, namePrefix, settings, tools.clock.now()))
  const own = plan.verdicts.length
  tools.report.note(
    `Server ${serverId} has ${own} ${kind.noun}${own === 1 ? '' : 's'} made by this action (name_prefix "${namePrefix}"); keeping ${describeRules(settings)}.`
  )
  tools.report.retention(plan.verdicts.map(({ item, keptBy }) => ({ item, kept: describeVerdict(keptBy, settings) })))
  const actions = plan.deletions.map(item => deletionOf(kind, item, { reason: deletionReason(settings, item) }))
  await carryOut({ actions }, { ...settings, wait: false }, tools)
}
