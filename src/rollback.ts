import * as core from '@actions/core'
import type { Dispatcher } from 'undici'
import { COMPLETED, IN_PROGRESS, type Backup, type Snapshot } from './api/types.ts'
import { describeFailure } from './errors.ts'
import { readSettings, type Settings } from './inputs.ts'
import { connect } from './main.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from './operations/kinds.ts'
import { restoreItem } from './operations/restore.ts'
import type { Tools } from './operations/tools.ts'
import { waitForItem } from './operations/wait.ts'
import { Outcome, writeReport } from './report.ts'
import { rollbackTarget, type RollbackTarget } from './state.ts'

const STEP = 'rollback'

/**
 * The post step once `post()` has seen that the main step saved a rollback target: restores the
 * server from exactly what the main step created, and never creates anything.
 */
export async function rollBack(options: { dispatcher?: Dispatcher }, started: number): Promise<void> {
  const outcome = new Outcome()
  let failure: string | undefined
  try {
    const target = rollbackTarget()
    if (!target) return
    const settings = await readSettings({ warnIgnored: false })
    const tools = connect(settings, outcome, options.dispatcher, started)
    await (target.kind === 'snapshot' ? restoreFrom(SNAPSHOTS, target, settings, tools) : restoreFrom(BACKUPS, target, settings, tools))
  } catch (error) {
    failure = describeFailure(STEP, error)
    core.setFailed(failure)
  } finally {
    if (outcome.lines.length > 0 || failure) await writeReport(STEP, outcome, Date.now() - started, failure)
  }
}

/** Restores from the target once it is completed; one that never completes is not restored from. */
async function restoreFrom<T extends Snapshot | Backup>(kind: Kind<T>, target: RollbackTarget, settings: Settings, tools: Tools): Promise<void> {
  let item = (await kind.list(tools.client, target.serverId)).find(candidate => candidate.id === target.id)
  if (item?.status === IN_PROGRESS) item = await waitForItem(kind, item.id, target.serverId, settings, tools)
  if (item?.status !== COMPLETED) {
    const fate = item ? `ended with status "${item.status}"` : 'no longer exists'
    return core.warning(`No rollback: ${kind.noun} ${target.id}, created by this step, ${fate}; there is nothing safe to restore from.`)
  }
  tools.outcome.say(`The job failed and rollback_on_failure is on: restoring server ${target.serverId} from ${kind.label(item)}, which this step created.`)
  await restoreItem(kind, item, settings, tools)
}
