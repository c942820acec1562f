import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { InputError } from '../errors.ts'
import { onEachServer } from '../fleet.ts'
import { parseBoolean, parseCount, parseName, readFleet, type CommonSettings, type Fleet, type InputReader } from '../inputs.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../kinds.ts'
import { creationMarker, defaultDescription } from '../naming.ts'
import { deletionOf, type Action } from '../plan/actions.ts'
import { planRotation, rotationOf } from '../plan/rotation.ts'
import type { RunContext } from '../run-context.ts'
import type { Tools } from '../tools.ts'

export interface CreateSettings {
  serverId: number
  /** A snapshot's name; undefined for a backup. */
  name: string | undefined
  namePrefix: string
  /** Unique to this step; see `creationMarker`. */
  marker: string
  description: string
  wait: boolean
  keep: number
  rollbackOnFailure: boolean
}

export const CREATE_INPUTS = ['server_id', 'max_parallel', 'name_prefix', 'description', 'wait', 'keep', 'rollback_on_failure'] as const

/** What a create reads: every server's settings but the server, and the fleet. */
export function readCreate(read: InputReader, run: RunContext, kind: 'snapshot' | 'backup'): Omit<CreateSettings, 'serverId'> & Fleet {
  const namePrefix = parseName('name_prefix', read.withDefault('name_prefix'))
  const marker = creationMarker(namePrefix, run)
  const wait = parseBoolean('wait', read.withDefault('wait'))
  const rollbackOnFailure = parseBoolean('rollback_on_failure', read.withDefault('rollback_on_failure'))
  if (rollbackOnFailure && !wait) {
    // A rollback needs a completed item, and a deploy after it; the wait-* step right before the
    // deploy is where both hold.
    throw new InputError(
      'rollback_on_failure',
      `is true while input "wait" is false: the ${kind} is not completed when this step ends, so there is nothing safe to roll back to yet. ` +
        `Put rollback_on_failure: true on the wait-${kind} step right before the deploy instead`
    )
  }
  const custom = kind === 'snapshot' ? read.optional('name') : undefined
  return {
    ...readFleet(read),
    name: kind === 'snapshot' ? (custom === undefined ? marker : parseName('name', custom)) : undefined,
    namePrefix,
    marker,
    description: read.optional('description') ?? defaultDescription(run),
    wait,
    keep: parseCount('keep', read.withDefault('keep')),
    rollbackOnFailure
  }
}

type CreateRead = CommonSettings & Omit<CreateSettings, 'serverId'> & Fleet

/** Each server of the fleet gets its own snapshot, side by side. */
export async function createSnapshots(settings: CreateRead, tools: Tools): Promise<void> {
  await createEach(SNAPSHOTS, settings, tools)
}

export async function createBackups(settings: CreateRead, tools: Tools): Promise<void> {
  await createEach(BACKUPS, settings, tools)
}

/**
 * The fleet's lists are read once where that costs fewer requests than a read per server (the
 * limit check and rotation of every server from one read), then each server plans and creates.
 * A server whose list the shared read did not give reads its own.
 */
async function createEach<T extends Snapshot | Backup>(kind: Kind<T>, settings: CreateRead, tools: Tools): Promise<void> {
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
        await carryOut(await planCreate(kind, serverSettings, items, serverTools), serverSettings, serverTools)
      }
    },
    tools
  )
}

/** The provider's advice, where a person will see it. */
const RUNNING_SERVER_ADVICE =
  'A snapshot of a running server may hold an inconsistent filesystem: the provider advises stopping the server first, or quiescing databases and writes.'

/**
 * The plan from the server's items (the provider's limit, and rotation): make room if needed,
 * create, and once the new item is completed delete the action's own beyond `keep`. A dry run,
 * which sends no POST whose answer would say so, reads the server first: it must exist.
 */
async function planCreate<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CreateSettings & { dryRun: boolean },
  items: T[],
  tools: Tools
): Promise<{ actions: Action[] }> {
  const { serverId, keep } = settings
  if (keep > 0) tools.report.mayDelete()
  if (settings.dryRun) await tools.client.getServer(serverId)
  const rotation = planRotation(rotationOf(kind, items, settings.namePrefix), keep)
  return {
    actions: [
      ...rotation.before.map(item => deletionOf(kind, item, { reason: `to stay under the provider's limit of ${kind.limit} ${kind.noun}s` })),
      { do: 'create', kind: kind.noun, serverId, name: settings.name, description: `${settings.marker} ${settings.description}`, marker: settings.marker },
      ...rotation.after.map(item => deletionOf(kind, item, { reason: `to keep the newest ${keep}`, afterCreate: true }))
    ]
  }
}
