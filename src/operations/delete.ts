import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { deletionOf } from '../plan/actions.ts'
import { capitalise } from '../format.ts'
import { parseId, type CommonSettings, type InputReader } from '../inputs.ts'
import type { Kind } from '../kinds.ts'
import type { Tools } from '../tools.ts'

export interface DeleteSettings {
  id: number
}

export function readDelete(read: InputReader, idInput: 'snapshot_id' | 'backup_id'): DeleteSettings {
  return { id: parseId(idInput, read.required(idInput)) }
}

/**
 * The item is looked up first, so that the plan names what it deletes (and a dry run fails where
 * the real run would); one that is not there is already gone: a notice, not a failure.
 */
export async function deleteItem<T extends Snapshot | Backup>(kind: Kind<T>, settings: CommonSettings & DeleteSettings, tools: Tools): Promise<void> {
  const { id } = settings
  tools.report.set({ [kind.idInput]: id, deleted_ids: [] })
  const item = (await kind.list(tools.client)).find(candidate => candidate.id === id)
  if (!item) return tools.report.notice(`${capitalise(kind.noun)} ${id} was already gone: nothing to delete.`)
  tools.report.set({ server_id: item.server.id })
  await carryOut({ actions: [deletionOf(kind, item)] }, { ...settings, wait: false }, tools)
  tools.report.set({ deleted_ids: tools.report.outcome.facts.deletedIds ?? [] })
}
