import * as core from '@actions/core'
import { ApiError } from '../api/errors.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import type { CommonSettings } from '../inputs.ts'
import type { Kind } from './kinds.ts'
import type { Tools } from './tools.ts'

const NOT_FOUND = 404

/** Deleting what is already gone is what the user wanted: a notice, not a failure. */
export async function deleteItem<T extends Snapshot | Backup>(kind: Kind<T>, { id, dryRun }: Pick<CommonSettings, 'dryRun'> & { id: number }, tools: Tools): Promise<void> {
  tools.outcome.set({ [kind.idInput]: id, deleted_ids: [] })
  if (dryRun) return describeDryRun(kind, id, tools)
  try {
    await kind.remove(tools.client, id)
  } catch (error) {
    if (!(error instanceof ApiError && error.status === NOT_FOUND)) throw error
    core.notice(`${kind.noun} ${id} is already gone: nothing to delete.`)
    return tools.outcome.say(`${kind.noun} ${id} was already gone.`)
  }
  tools.outcome.deleted(id)
  tools.outcome.say(`Deleted ${kind.noun} ${id}.`)
}

async function describeDryRun<T extends Snapshot | Backup>(kind: Kind<T>, id: number, tools: Tools): Promise<void> {
  const item = (await kind.list(tools.client)).find(candidate => candidate.id === id)
  if (!item) return tools.outcome.say(`Dry run: ${kind.noun} ${id} is already gone; nothing would be deleted.`)
  tools.outcome.say(`Dry run: would delete ${kind.label(item)} of server ${item.server.id}, created ${item.created_at}.`)
}
