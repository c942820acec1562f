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
 * The post step, which action.yml runs only when the job failed: restores the server from
 * exactly what the main step created, and never creates anything.
 */
export async function post(options: { dispatcher?: Dispatcher } = {}): Promise<void> {
  const started = Date.now()
  const outcome = new Outcome()
  let failure: string | undefined
  try {
    // The target is saved only when rollback was asked for and something was created, so it is
    // read first: a main step that failed on its inputs leaves nothing, and nothing to re-check.
    const target = rollbackTarget()
    if (!target) return core.info(`No rollback: ${rollbackRequested() ? 'the main step created nothing to restore from' : 'rollback_on_failure is not true for this step'}.`)
    const settings = await readSettings({ warnIgnored: false })
    const tools = connect(settings, outcome, options.dispatcher, started)
    await (target.kind === 'snapshot' ? rollBack(SNAPSHOTS, target, settings, tools) : rollBack(BACKUPS, target, settings, tools))
  } catch (error) {
    failure = describeFailure(STEP, error)
    core.setFailed(failure)
  } finally {
    if (outcome.lines.length > 0 || failure) await writeReport(STEP, outcome, Date.now() - started, failure)
  }
}

function rollbackRequested(): boolean {
  return core.getInput('rollback_on_failure').toLowerCase() === 'true'
}

/** Restores from the target once it is completed; one that never completes is not restored from. */
async function rollBack<T extends Snapshot | Backup>(kind: Kind<T>, target: RollbackTarget, settings: Settings, tools: Tools): Promise<void> {
  let item = (await kind.list(tools.client, target.serverId)).find(candidate => candidate.id === target.id)
  if (item?.status === IN_PROGRESS) item = await waitForItem(kind, item.id, target.serverId, settings, tools)
  if (item?.status !== COMPLETED) {
    const fate = item ? `ended with status "${item.status}"` : 'no longer exists'
    return core.warning(`No rollback: ${kind.noun} ${target.id}, created by this step, ${fate}; there is nothing safe to restore from.`)
  }
  tools.outcome.say(`The job failed and rollback_on_failure is on: restoring server ${target.serverId} from ${kind.label(item)}, which this step created.`)
  await restoreItem(kind, item, settings, tools)
}
