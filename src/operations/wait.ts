import type { Backup, Snapshot } from '../api/types.ts'
import { capitalise } from '../format.ts'
import { parseBoolean, parseId, type InputReader } from '../inputs.ts'
import type { Kind } from '../kinds.ts'
import type { Tools } from '../tools.ts'
import { waitForItem } from '../watch/items.ts'

export interface WaitSettings {
  id: number
  serverId: number
  rollbackOnFailure: boolean
}

export function readWait(read: InputReader, idInput: 'snapshot_id' | 'backup_id'): WaitSettings {
  return {
    id: parseId(idInput, read.required(idInput)),
    serverId: parseId('server_id', read.required('server_id')),
    rollbackOnFailure: parseBoolean('rollback_on_failure', read.withDefault('rollback_on_failure'))
  }
}

/**
 * For a job started earlier with `wait: false`: it may be done already, so look at once. This is
 * the step right before the deploy in the "wait later" recipe, so it is the one that arms the
 * rollback, once the item is completed.
 */
export async function waitLater<T extends Snapshot | Backup>(kind: Kind<T>, settings: WaitSettings, tools: Tools): Promise<void> {
  tools.report.set({ [kind.idInput]: settings.id, server_id: settings.serverId })
  const done = await waitForItem(kind, settings.id, settings.serverId, tools, { checkFirst: true })
  tools.report.note(`${capitalise(kind.label(done))} is ${done.status}.`)
  if (settings.rollbackOnFailure) tools.arm({ kind: kind.noun, id: done.id, serverId: done.server.id })
}
