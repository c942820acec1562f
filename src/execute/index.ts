import { COMPLETED, type Backup, type Snapshot } from '../api/types.ts'
import { capitalise } from '../format.ts'
import { kindNamed } from '../kinds.ts'
import { deletedItem, type CreateAction, type DeleteAction, type Plan } from '../plan/actions.ts'
import type { Tools } from '../tools.ts'
import { waitForItem } from '../watch/items.ts'
import { sendCreate } from './create.ts'
import { deleteConfirmed } from './delete.ts'
import { sendRestore } from './restore.ts'

interface CarryOutOptions {
  dryRun: boolean
  wait: boolean
  /** Arm the rollback from what the plan creates, once it is completed. */
  rollbackOnFailure?: boolean
}

/** Carries a plan out, action by action, or in a dry run says what each would do, sending nothing. */
export async function carryOut(plan: Plan, options: CarryOutOptions, tools: Tools): Promise<void> {
  if (options.dryRun) {
    // What the real run would do: without the wait, rotation after the create is skipped.
    const skipped = plan.actions.find(action => action.do === 'delete' && action.afterCreate && !options.wait)
    for (const action of plan.actions)
      if (action.do !== 'delete' || !action.afterCreate || options.wait) tools.report.planned(action)
    if (skipped)
      tools.report.notice(
        `Dry run: the deletions after the create would be skipped: the new ${skipped.kind} would not be completed yet (wait is false). Run prune-${skipped.kind}s once it is.`
      )
    return
  }
  let created: Snapshot | Backup | undefined
  let skippedRotation = false
  for (const action of plan.actions) {
    switch (action.do) {
      case 'create':
        created = await create(action, options, tools)
        break
      case 'restore':
        await sendRestore(action, tools, { wait: options.wait })
        break
      case 'delete':
        if (!action.afterCreate) await remove(action, tools)
        else if (created?.status === COMPLETED) await tidy(action, tools)
        else if (!skippedRotation) {
          skippedRotation = true
          tools.report.notice(
            `Deletions after the create skipped: the new ${action.kind} is not completed yet (wait is false). Run prune-${action.kind}s once it is.`
          )
        }
    }
  }
}

/** Creates, waits if asked, and arms the rollback once the new item is completed. */
async function create(action: CreateAction, options: CarryOutOptions, tools: Tools): Promise<Snapshot | Backup> {
  const kind = kindNamed(action.kind)
  const created = await sendCreate(kind, action, tools)
  tools.report.item(created)
  tools.report.note(`Started ${kind.label(created)} of server ${created.server.id}.`)
  if (!options.wait) return created
  const done = await waitForItem(kind, created.id, created.server.id, tools)
  tools.report.note(
    `${capitalise(kind.label(done))} is ${done.status}${done.size_mb === null ? '' : ` (${done.size_mb} MB)`}.`
  )
  if (options.rollbackOnFailure) tools.arm({ kind: kind.noun, id: done.id, serverId: done.server.id })
  return done
}

async function remove(action: DeleteAction, tools: Tools): Promise<void> {
  const result = await deleteConfirmed(action, tools)
  if (result === 'already gone')
    return tools.report.notice(`${capitalise(action.label)} was already gone: nothing to delete.`)
  tools.report.deleted(action.id)
  tools.report.note(`Deleted ${deletedItem(action)}${action.reason ? ` ${action.reason}` : ''}.`)
}

/** Rotation after the new item completed: housekeeping, whose failure warns but never fails the step. */
async function tidy(action: DeleteAction, tools: Tools): Promise<void> {
  try {
    await remove(action, tools)
  } catch (error) {
    tools.report.warn(
      `Rotation could not delete ${deletedItem(action)}: ${(error as Error).message.replace(/\.$/, '')}. The new ${action.kind} is completed and kept; the next rotation will try again.`
    )
  }
}
