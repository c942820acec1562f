import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { InputError } from '../errors.ts'
import { onEachServer } from '../fleet.ts'
import {
  booleanInput,
  MAX_PARALLEL,
  NAME_PREFIX,
  NAME,
  optionalInput,
  RETENTION_INPUTS,
  ROLLBACK_ON_FAILURE,
  SERVER_IDS,
  WAIT,
  type CommonSettings,
  type InputValues
} from '../inputs.ts'
import { forEachKind, type Kind, type KindName } from '../kinds.ts'
import { defineOperation, needsRun } from '../operation.ts'
import { creationMarker, defaultDescription } from '../naming.ts'
import { deletionOf, type Action } from '../plan/actions.ts'
import {
  deletionReason,
  describeVerdict,
  hasRules,
  planCreate,
  RetentionRefusal,
  retentionOf,
  type Keeper,
  type RetentionRules,
  type Verdict
} from '../plan/retention.ts'
import type { RunContext } from '../run-context.ts'
import type { Tools } from '../tools.ts'

interface CreateSettings extends RetentionRules {
  serverId: number
  /** A snapshot's name; undefined for a backup. */
  name: string | undefined
  namePrefix: string
  /** Unique to this step; see `creationMarker`. */
  marker: string
  description: string
  wait: boolean
  /** No retention rule deletes the item made: its marker says so. */
  protect: boolean
  rollbackOnFailure: boolean
}

const DESCRIPTION = optionalInput('description', raw => raw)
const PROTECT = booleanInput('protect', 'false')

const CREATE_INPUTS = {
  serverIds: SERVER_IDS,
  maxParallel: MAX_PARALLEL,
  namePrefix: NAME_PREFIX,
  description: DESCRIPTION,
  wait: WAIT,
  ...RETENTION_INPUTS,
  protect: PROTECT,
  rollbackOnFailure: ROLLBACK_ON_FAILURE
}

const DOCS = {
  snapshot: {
    does: "Takes a snapshot of the server; with `wait` (the default) the step ends when it is completed. With `keep` or the other `keep_*` rules, deletes the action's older snapshots that no rule keeps (never one made with `protect`). With `rollback_on_failure`, a failure later in the job restores the server from it.",
    gives: '`server_id` (one, or several: a fleet); `name` if you want your own; `protect` to keep it for good',
    gets: '`snapshot_id`, `snapshot_name`, `status`, `size_mb`, `created_at`, `server_id`; `deleted_ids` with a `keep_*` rule; `results` and `snapshot_ids` for every server'
  },
  backup: {
    does: 'Makes a manual backup of the server, the same way.',
    gives: '`server_id` (one or several); `description` if you want your own',
    gets: '`backup_id`, `status`, `size_mb`, `created_at`, `server_id`; `deleted_ids` with a `keep_*` rule; `results` and `backup_ids`'
  }
}

export const [CREATE_SNAPSHOT, CREATE_BACKUP] = forEachKind(kind =>
  defineOperation({
    operation: `create-${kind.noun}`,
    ...DOCS[kind.noun],
    // A snapshot has a name of its own; a backup has none.
    inputs: kind.noun === 'snapshot' ? { ...CREATE_INPUTS, name: NAME } : CREATE_INPUTS,
    namesThings: true,
    settle: (values, run) => settleCreate(kind.noun, values, needsRun(run)),
    run: (settings, tools) => createEach(kind, settings, tools)
  })
)

type CreateValues = InputValues<typeof CREATE_INPUTS> & { name?: string | undefined }

/** What a create reads: every server's settings but the server, and the fleet. */
function settleCreate(noun: KindName, values: CreateValues, run: RunContext): CreateRead {
  const { wait, rollbackOnFailure, namePrefix } = values
  if (rollbackOnFailure && !wait) {
    // A rollback needs a completed item, and a deploy after it; the wait-* step right before the
    // deploy is where both hold.
    throw new InputError(
      'rollback_on_failure',
      `is true while input "wait" is false: the ${noun} is not completed when this step ends, so there is nothing safe to roll back to yet. ` +
        `Put rollback_on_failure: true on the wait-${noun} step right before the deploy instead`
    )
  }
  const marker = creationMarker(namePrefix, run, values.protect)
  return {
    ...values,
    name: noun === 'snapshot' ? (values.name ?? marker) : undefined,
    marker,
    description: values.description ?? defaultDescription(run)
  }
}

/** A create's settings: every server's but the server, and the fleet. */
type CreateRead = Omit<CreateSettings, 'serverId'> & { serverIds: number[]; maxParallel: number }

/**
 * The fleet's lists are read once where that costs fewer requests than a read per server (the
 * limit check and rotation of every server from one read), then each server plans and creates.
 * A server whose list the shared read did not give reads its own.
 */
async function createEach<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & CreateRead,
  tools: Tools
): Promise<void> {
  const shared = await tools.lists.whole(kind.noun, settings.serverIds)
  // Once for all: reading every server to see which are running would cost a request each.
  if (kind.noun === 'snapshot') tools.report.say(RUNNING_SERVER_ADVICE)
  await onEachServer(
    {
      serverIds: settings.serverIds,
      maxParallel: settings.maxParallel,
      statusOf: 'item',
      work: async (serverId, serverTools) => {
        const serverSettings = { ...settings, serverId }
        const items = (shared?.get(serverId) as T[] | undefined) ?? (await kind.list(serverTools.client, serverId))
        await carryOut(await planOneCreate(kind, serverSettings, items, serverTools), serverSettings, serverTools)
      }
    },
    tools
  )
}

/** The provider's advice, where a person will see it. */
const RUNNING_SERVER_ADVICE =
  'A snapshot of a running server may hold an inconsistent filesystem: the provider advises stopping the server first, or quiescing databases and writes.'

/**
 * What retention keeps of the server's items, and what goes before and after the create; the job
 * summary's table of why, even when the rules keep too many for the create to be made.
 */
function planRetention<T extends Snapshot | Backup>(kind: Kind<T>, settings: CreateSettings, items: T[], tools: Tools) {
  const report = (verdicts: Verdict<T>[], newItem?: Keeper[]) => {
    if (!hasRules(settings)) return
    const rows = verdicts.map(({ item, keptBy }) => ({ item, kept: describeVerdict(keptBy, settings) }))
    tools.report.retention(rows, newItem && describeVerdict(newItem, settings))
  }
  try {
    const plan = planCreate(retentionOf(kind, items, settings.namePrefix, settings, tools.clock.now()), settings)
    report(plan.verdicts, plan.newItem)
    return plan
  } catch (error) {
    if (error instanceof RetentionRefusal) report(error.verdicts as Verdict<T>[])
    throw error
  }
}

/**
 * The plan from the server's items (the provider's limit, and retention): make room if needed,
 * create, and once the new item is completed delete the action's own that no rule keeps. A dry
 * run, which sends no POST whose answer would say so, reads the server first: it must exist.
 */
async function planOneCreate<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CreateSettings & { dryRun: boolean },
  items: T[],
  tools: Tools
): Promise<{ actions: Action[] }> {
  const { serverId } = settings
  if (hasRules(settings)) tools.report.mayDelete()
  if (settings.dryRun) await tools.client.getServer(serverId)
  const plan = planRetention(kind, settings, items, tools)
  return {
    actions: [
      ...plan.before.map(item =>
        deletionOf(kind, item, { reason: `to stay under the provider's limit of ${kind.limit} ${kind.noun}s` })
      ),
      {
        do: 'create',
        kind: kind.noun,
        serverId,
        name: settings.name,
        description: `${settings.marker} ${settings.description}`,
        marker: settings.marker
      },
      ...plan.after.map(item => deletionOf(kind, item, { reason: deletionReason(settings, item), afterCreate: true }))
    ]
  }
}
