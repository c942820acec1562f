import type { Backup, Snapshot } from '../api/types.ts'
import { carryOut } from '../execute/index.ts'
import { deletionOf } from '../plan/actions.ts'
import { capitalise } from '../format.ts'
import { itemId, type CommonSettings } from '../inputs.ts'
import { forEachKind, type Kind } from '../kinds.ts'
import { defineOperation, type StepSettings } from '../operation.ts'
import type { Tools } from '../tools.ts'

/** One item, of any server; a delete arms nothing. */
interface DeleteSettings extends StepSettings {
  id: number
}

const DOCS = {
  snapshot: {
    does: 'Deletes a snapshot for good. One already gone is a notice, not a failure.',
    gives: '`snapshot_id`',
    gets: '`deleted_ids`'
  },
  backup: { does: 'Deletes a backup for good, the same way.', gives: '`backup_id`', gets: '`deleted_ids`' }
}

export const [DELETE_SNAPSHOT, DELETE_BACKUP] = forEachKind(kind =>
  defineOperation({
    operation: `delete-${kind.noun}`,
    ...DOCS[kind.noun],
    inputs: { id: itemId(kind.idInput) },
    settle: ({ id }): DeleteSettings => ({ id }),
    run: (settings, tools) => deleteItem(kind, settings, tools)
  })
)

/**
 * The item is looked up first, so that the plan names what it deletes (and a dry run fails where
 * the real run would); one that is not there is already gone: a notice, not a failure.
 */
async function deleteItem<T extends Snapshot | Backup>(
  kind: Kind<T>,
  settings: CommonSettings & { id: number },
  tools: Tools
): Promise<void> {
  const { id } = settings
  tools.report.set({ [kind.idInput]: id, deleted_ids: [] })
  const item = (await kind.list(tools.client)).find(candidate => candidate.id === id)
  if (!item) return tools.report.notice(`${capitalise(kind.noun)} ${id} was already gone: nothing to delete.`)
  tools.report.set({ server_id: item.server.id })
  await carryOut({ actions: [deletionOf(kind, item)] }, { ...settings, wait: false }, tools)
  tools.report.set({ deleted_ids: tools.report.outcome.facts.deletedIds ?? [] })
}
