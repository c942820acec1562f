import type { VpsClient } from '../api/client.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { InputError, OperationError } from '../errors.ts'
import { onEachServer } from '../fleet.ts'
import {
  MAX_PARALLEL,
  NAME,
  optionalInput,
  parseFleetReference,
  requiredInput,
  SOME_SERVER_IDS,
  WAIT,
  type CommonSettings,
  type FleetReference,
  type ItemReference,
  type SnapshotReference
} from '../inputs.ts'
import { defineOperation } from '../operation.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../kinds.ts'
import type { RestoreAction } from '../plan/actions.ts'
import { pickById, pickByName, pickLatest, requireCompleted } from '../plan/selection.ts'
import type { Tools } from '../tools.ts'

/** A restore as read: for one server or several, each server's item by the same reference or from a create's map. */
interface RestoreRead<R> {
  reference: R | { byServer: Map<number, number> }
  /** The servers; none given with a snapshot id, which names its own server. */
  serverIds: number[] | undefined
  maxParallel: number
  wait: boolean
}

const RESTORE_INPUTS = { serverIds: SOME_SERVER_IDS, maxParallel: MAX_PARALLEL, wait: WAIT }

export const RESTORE_SNAPSHOT = defineOperation({
  operation: 'restore-snapshot',
  does: 'Restores the server from a completed snapshot, overwriting its disk; with `wait`, until the server is at rest again (`running` or `stopped`).',
  gives:
    '`snapshot_id` (an id, `latest`, or the `snapshot_ids` of a create) or `name`; `server_id` (one or several) with `latest` or `name`, and to check an id against',
  gets: "`snapshot_id`, `server_id`, `status` (the server's); `results` and `snapshot_ids`",
  inputs: { id: optionalInput('snapshot_id', raw => raw), name: NAME, ...RESTORE_INPUTS },
  settle: ({ id, name, ...rest }): RestoreRead<SnapshotReference> => {
    if (id !== undefined && name !== undefined)
      throw new InputError('snapshot_id', 'and input "name" both name the snapshot to restore: give only one')
    if (id === undefined && name === undefined)
      throw new InputError('snapshot_id', 'or input "name" is required by operation "restore-snapshot"')
    const reference = name !== undefined ? { name } : parseFleetReference('snapshot_id', id ?? '')
    const serverIds = checkServers(
      'snapshot_id',
      reference,
      rest.serverIds,
      '"latest", a name, or the snapshot_ids map of a create'
    )
    return { ...rest, reference, serverIds }
  },
  run: restoreSnapshots
})

export const RESTORE_BACKUP = defineOperation({
  operation: 'restore-backup',
  does: 'Restores the server from a completed backup, the same way.',
  gives:
    '`backup_id` (an id, `latest`, or the `backup_ids` of a create) and `server_id` (one or several; not needed with `backup_ids`)',
  gets: "`backup_id`, `server_id`, `status` (the server's); `results` and `backup_ids`",
  inputs: { reference: requiredInput('backup_id', raw => parseFleetReference('backup_id', raw)), ...RESTORE_INPUTS },
  settle: ({ reference, ...rest }): RestoreRead<ItemReference> => {
    const serverIds = checkServers('backup_id', reference, rest.serverIds, '"latest" or the backup_ids map of a create')
    if (serverIds === undefined) throw new InputError('server_id', 'is required by operation "restore-backup"')
    return { ...rest, reference, serverIds }
  },
  run: restoreBackups
})

/** The servers a restore or a wait works on, checked against how the item is given. */
export function checkServers(
  idInput: 'snapshot_id' | 'backup_id',
  reference: FleetReference | { name: string },
  given: number[] | undefined,
  /** What the operation takes instead of one id, for several servers: each offers only what it reads. */
  forSeveral: string
): number[] | undefined {
  const by = 'name' in reference ? 'name' : 'latest' in reference ? '"latest"' : undefined
  if ('byServer' in reference) {
    const mapped = [...reference.byServer.keys()]
    if (
      given &&
      (given.some(server => !reference.byServer.has(server)) || mapped.some(server => !given.includes(server)))
    ) {
      throw new InputError(
        idInput,
        `names servers ${mapped.join(', ')}, and input "server_id" names ${given.join(', ')}: give the same servers, or leave server_id out`
      )
    }
    return given ?? mapped
  }
  if (by && !given)
    throw new InputError(
      'server_id',
      `is required when the ${idInput === 'snapshot_id' ? 'snapshot' : 'backup'} is given by ${by}`
    )
  if ('id' in reference && given && given.length > 1) {
    throw new InputError(
      idInput,
      `is one ${idInput === 'snapshot_id' ? 'snapshot' : 'backup'}, of one server, and input "server_id" names ${given.length}: give ${forSeveral}`
    )
  }
  return given
}

/** Each server restored from its own item: the same reference for all, or its entry in a create's map. */
async function restoreSnapshots(
  settings: CommonSettings & RestoreRead<SnapshotReference>,
  tools: Tools
): Promise<void> {
  const { reference } = settings
  if (settings.serverIds === undefined && 'id' in reference) {
    // A snapshot id alone names its server: found first, then restored as a fleet of one.
    const snapshot = pickById(
      { noun: 'snapshot', serverId: undefined, items: await SNAPSHOTS.list(tools.client) },
      reference.id
    )
    return restoreEach(SNAPSHOTS, { ...settings, serverIds: [snapshot.server.id] }, tools, () =>
      Promise.resolve(snapshot)
    )
  }
  const serverIds = settings.serverIds ?? []
  const shared = await tools.lists.whole('snapshot', serverIds)
  await restoreEach(SNAPSHOTS, { ...settings, serverIds }, tools, async (serverId, { client, report }) => {
    const own = shared?.get(serverId) as Snapshot[] | undefined
    const wanted = referenceFor(reference, serverId)
    if ('id' in wanted) report.asked('snapshot', wanted.id)
    if ('name' in wanted)
      return pickByName(
        { noun: 'snapshot', serverId, items: own ?? (await SNAPSHOTS.list(client, serverId)) },
        wanted.name
      )
    return find(SNAPSHOTS, wanted, serverId, own, client)
  })
}

async function restoreBackups(settings: CommonSettings & RestoreRead<ItemReference>, tools: Tools): Promise<void> {
  const serverIds = settings.serverIds ?? []
  const shared = await tools.lists.whole('backup', serverIds)
  await restoreEach(BACKUPS, { ...settings, serverIds }, tools, (serverId, { client, report }) => {
    const wanted = referenceFor(settings.reference, serverId)
    if ('id' in wanted) report.asked('backup', wanted.id)
    return find(BACKUPS, wanted, serverId, shared?.get(serverId) as Backup[] | undefined, client)
  })
}

/**
 * Every server's item is found (and checked against its server) before any restore is sent: if
 * one is missing, none is sent, and the step fails naming each server and why. A fleet is never
 * left half overwritten by a restore that could have been refused whole.
 */
async function restoreEach<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & { serverIds: number[]; maxParallel: number; wait: boolean },
  tools: Tools,
  findItem: (serverId: number, tools: Tools) => Promise<T>
): Promise<void> {
  await onEachServer(
    {
      serverIds: settings.serverIds,
      maxParallel: settings.maxParallel,
      statusOf: 'server',
      prepare: {
        run: async (serverId, serverTools) => {
          const item = requireCompleted(kind.noun, await findItem(serverId, serverTools))
          serverTools.report.item(item)
          return item
        },
        heldBack: `not restored: no server is, unless every server's ${kind.noun} is found`
      },
      work: (_serverId, serverTools, item) =>
        carryOut({ actions: [restoreAction(kind, item, serverTools)] }, settings, serverTools)
    },
    tools
  )
}

function referenceFor<R>(reference: R | { byServer: Map<number, number> }, serverId: number): R | { id: number } {
  if (typeof reference !== 'object' || reference === null || !('byServer' in reference)) return reference
  const id = reference.byServer.get(serverId)
  if (id === undefined) throw new OperationError(`server ${serverId} is not in the map of ids`)
  return { id }
}

/** The restore of the item's server from it; its outputs name both, in a dry run too. */
export function restoreAction<T extends Snapshot | Backup>(kind: Kind<T>, item: T, tools: Tools): RestoreAction {
  tools.report.item(item)
  return {
    do: 'restore',
    kind: kind.noun,
    id: item.id,
    label: kind.label(item),
    createdAt: item.created_at,
    serverId: item.server.id
  }
}

/**
 * An item by id or `latest`. By id, the server's own list is read first (unless a shared read
 * gave it); when the id is not there, the whole list tells whether it is another server's
 * (refused) or does not exist.
 */
async function find<T extends Snapshot | Backup>(
  kind: Kind<T>,
  reference: ItemReference,
  serverId: number,
  known: T[] | undefined,
  client: VpsClient
): Promise<T> {
  const own = known ?? (await kind.list(client, serverId))
  if ('latest' in reference) return pickLatest({ noun: kind.noun, serverId, items: own })
  const items = own.some(item => item.id === reference.id) ? own : await kind.list(client)
  return pickById({ noun: kind.noun, serverId, items }, reference.id)
}
