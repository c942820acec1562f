import type { Backup, Snapshot } from '../api/types.ts'
import { capitalise } from '../format.ts'
import { InputError, OperationError } from '../errors.ts'
import { onEachServer } from '../fleet.ts'
import { parseBoolean, parseFleetReference, type InputReader } from '../inputs.ts'
import { readServers } from './restore.ts'
import type { Kind } from '../kinds.ts'
import type { Tools } from '../tools.ts'
import { waitForItem } from '../watch/items.ts'

export interface WaitSettings {
  id: number
  serverId: number
  rollbackOnFailure: boolean
}

/** A wait as read: one id on one server, or a create's map of server to id for several. */
export interface WaitRead {
  /** In the order `server_id` gave, or the map's when it is left out. */
  serverIds: number[]
  ids: Map<number, number>
  maxParallel: number
  rollbackOnFailure: boolean
}

export function readWait(read: InputReader, idInput: 'snapshot_id' | 'backup_id'): WaitRead {
  const reference = parseFleetReference(idInput, read.required(idInput))
  if ('latest' in reference)
    throw new InputError(idInput, 'must be the id of what to wait for, or the map a create wrote to its ' + `${idInput}s output; got "latest"`)
  const { serverIds, maxParallel } = readServers(read, idInput, reference, `the ${idInput}s map of a create`)
  const [serverId] = serverIds ?? []
  if (serverId === undefined) throw new InputError('server_id', `is required by operation "wait-${idInput === 'snapshot_id' ? 'snapshot' : 'backup'}"`)
  const ids = 'byServer' in reference ? reference.byServer : new Map([[serverId, reference.id]])
  return {
    serverIds: serverIds ?? [serverId],
    ids,
    maxParallel,
    rollbackOnFailure: parseBoolean('rollback_on_failure', read.withDefault('rollback_on_failure'))
  }
}

/** Each server waits for its own item, side by side, through the step's one poller. */
export async function waitForEach<T extends Snapshot | Backup>(kind: Kind<T>, settings: WaitRead, tools: Tools): Promise<void> {
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
async function waitLater<T extends Snapshot | Backup>(kind: Kind<T>, settings: WaitSettings, tools: Tools): Promise<void> {
  tools.report.asked(kind.noun, settings.id)
  const done = await waitForItem(kind, settings.id, settings.serverId, tools, { atOnce: true })
  tools.report.note(`${capitalise(kind.label(done))} is ${done.status}.`)
  if (settings.rollbackOnFailure) tools.arm({ kind: kind.noun, id: done.id, serverId: done.server.id })
}
