import * as core from '@actions/core'
import { ApiError } from '../api/errors.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import type { RotationInput } from '../plan/rotation.ts'
import type { Kind } from './kinds.ts'
import type { Tools } from './tools.ts'

const NOT_FOUND = 404

export interface Rotation<T extends Snapshot | Backup> {
  kind: Kind<T>
  serverId: number
  namePrefix: string
  dryRun: boolean
}

/** The server's items as rotation sees them, read fresh from the API. */
export async function readRotation<T extends Snapshot | Backup>(rotation: Rotation<T>, tools: Tools): Promise<RotationInput<T>> {
  const { kind, serverId, namePrefix } = rotation
  return {
    items: await kind.list(tools.client, serverId),
    isOwn: item => kind.isOwn(item, namePrefix),
    countsTowardLimit: item => kind.countsTowardLimit(item),
    limit: kind.limit,
    noun: kind.noun
  }
}

/** Deletes what rotation chose (or says it would, in a dry run); one already gone is skipped. */
export async function deleteChosen<T extends Snapshot | Backup>(rotation: Rotation<T>, chosen: T[], reason: string, tools: Tools): Promise<void> {
  if (chosen.length === 0) return
  const { kind, dryRun } = rotation
  await core.group(`Rotation: ${dryRun ? 'would delete' : 'deleting'} ${chosen.length} ${kind.noun}${chosen.length === 1 ? '' : 's'} ${reason}`, () => deleteEach(rotation, chosen, reason, tools))
  if (!dryRun) core.notice(`Rotation deleted ${chosen.length} ${kind.noun}${chosen.length === 1 ? '' : 's'} of server ${rotation.serverId} ${reason}.`)
}

async function deleteEach<T extends Snapshot | Backup>({ kind, dryRun }: Rotation<T>, chosen: T[], reason: string, tools: Tools): Promise<void> {
  for (const item of chosen) {
    if (dryRun) {
      tools.outcome.say(`Dry run: would delete ${kind.label(item)} of ${item.created_at} ${reason}.`)
      continue
    }
    try {
      await kind.remove(tools.client, item.id)
      tools.outcome.deleted(item.id)
      tools.outcome.say(`Deleted ${kind.label(item)} of ${item.created_at} ${reason}.`)
    } catch (error) {
      if (!(error instanceof ApiError && error.status === NOT_FOUND)) throw error
      tools.outcome.say(`${kind.label(item)} was already gone.`)
    }
  }
}
