import type { Backup, Snapshot } from '../api/types.ts'
import { capitalise } from '../format.ts'
import { InputError, OperationError } from '../errors.ts'
import { onEachServer } from '../fleet.ts'
import {
  MAX_PARALLEL,
  parseFleetReference,
  requiredInput,
  ROLLBACK_ON_FAILURE,
  SOME_SERVER_IDS,
  type FleetReference
} from '../inputs.ts'
import { checkServers } from './restore.ts'
import { forEachKind, type Kind } from '../kinds.ts'
import { defineOperation } from '../operation.ts'
import type { Tools } from '../tools.ts'
import { waitForItem } from '../watch/items.ts'

interface WaitSettings {
  id: number
  serverId: number
  rollbackOnFailure: boolean
}

/** A wait as read: one id on one server, or a create's map of server to id for several. */
interface WaitRead {
  /** In the order `server_id` gave, or the map's when it is left out. */
  serverIds: number[]
  ids: Map<number, number>
  maxParallel: number
  rollbackOnFailure: boolean
}

const DOCS = {
  snapshot: {
    does: 'Waits for a snapshot started earlier with `wait: false`. With `rollback_on_failure`, a failure later in the job restores the server from it: put it right before the deploy.',
    gives: '`snapshot_id` and `server_id`, or the `snapshot_ids` of a create for a fleet',
    gets: "`snapshot_id`, `status` and the rest of the snapshot's outputs; `results` and `snapshot_ids`"
  },
  backup: {
    does: 'Waits for a backup started earlier with `wait: false`, the same way.',
    gives: '`backup_id` and `server_id`, or the `backup_ids` of a create',
    gets: '`backup_id`, `status` and the rest; `results` and `backup_ids`'
  }
}

export const [WAIT_SNAPSHOT, WAIT_BACKUP] = forEachKind(kind =>
  defineOperation({
    operation: `wait-${kind.noun}`,
    ...DOCS[kind.noun],
    inputs: {
      reference: requiredInput(kind.idInput, raw => parseFleetReference(kind.idInput, raw)),
      serverIds: SOME_SERVER_IDS,
      maxParallel: MAX_PARALLEL,
      rollbackOnFailure: ROLLBACK_ON_FAILURE
    },
    settle: values => settleWait(kind.idInput, values),
    run: (settings, tools) => waitForEach(kind, settings, tools)
  })
)

function settleWait(
  idInput: 'snapshot_id' | 'backup_id',
  values: {
    reference: FleetReference
    serverIds: number[] | undefined
    maxParallel: number
    rollbackOnFailure: boolean
  }
): WaitRead {
  const { reference } = values
  if ('latest' in reference)
    throw new InputError(
      idInput,
      'must be the id of what to wait for, or the map a create wrote to its ' + `${idInput}s output; got "latest"`
    )
  const serverIds = checkServers(idInput, reference, values.serverIds, `the ${idInput}s map of a create`)
  const [serverId] = serverIds ?? []
  if (serverId === undefined)
    throw new InputError(
      'server_id',
      `is required by operation "wait-${idInput === 'snapshot_id' ? 'snapshot' : 'backup'}"`
    )
  const ids = 'byServer' in reference ? reference.byServer : new Map([[serverId, reference.id]])
  return {
    serverIds: serverIds ?? [serverId],
    ids,
    maxParallel: values.maxParallel,
    rollbackOnFailure: values.rollbackOnFailure
  }
}

/** Each server waits for its own item, side by side, through the step's one poller. */
async function waitForEach<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: WaitRead,
  tools: Tools
): Promise<void> {
  await onEachServer(
    {
      serverIds: settings.serverIds,
      maxParallel: settings.maxParallel,
      statusOf: 'item',
      work: async (serverId, serverTools) => {
        const id = settings.ids.get(serverId)
        if (id === undefined) throw new OperationError(`server ${serverId} has no ${kind.idInput} to wait for`)
        await waitLater(kind, { id, serverId, rollbackOnFailure: settings.rollbackOnFailure }, serverTools)
      }
    },
    tools
  )
}

/**
 * For a job started earlier with `wait: false`: it may be done already, so look at once. This is
 * the step right before the deploy in the "wait later" recipe, so it is the one that arms the
 * rollback, once the item is completed.
 */
async function waitLater<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: WaitSettings,
  tools: Tools
): Promise<void> {
  tools.report.asked(kind.noun, settings.id)
  const done = await waitForItem(kind, settings.id, settings.serverId, tools, { atOnce: true })
  tools.report.note(`${capitalise(kind.label(done))} is ${done.status}.`)
  if (settings.rollbackOnFailure) tools.arm({ kind: kind.noun, id: done.id, serverId: done.server.id })
}
