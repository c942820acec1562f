import * as core from '@actions/core'
import { connect, type ConnectOptions } from './compose.ts'
import { describeFailure, isExpected } from './errors.ts'
import { readOperation } from './registry.ts'
import { ActionsReporter, writeReport, type Reporter } from './report.ts'
import { armedLine, MAIN_STEP_RAN, stateToSave, type RollbackTarget } from './state.ts'

export type RunOptions = Pick<ConnectOptions, 'dispatcher' | 'clock'>

/** The main step: inputs → operation → outputs and summary; one error line on failure. */
export async function run(options: RunOptions = {}): Promise<void> {
  const started = Date.now()
  const report = new ActionsReporter()
  const operation = core.getInput('operation') || 'vps-org-snapshot-action'
  const armed: RollbackTarget[] = []
  let failure: string | undefined
  let asked: { rollbackOnFailure: boolean; dryRun: boolean } | undefined
  try {
    core.saveState(...MAIN_STEP_RAN)
    const { common, run: operate, ignored, maxParallel, rollbackOnFailure } = await readOperation()
    asked = { rollbackOnFailure, dryRun: common.dryRun }
    for (const name of ignored) report.warn(`Input "${name}" is not used by operation "${operation}" and was ignored.`)
    // A dry run arms nothing: its post step must never restore for real.
    const arm = common.dryRun ? undefined : (target: RollbackTarget) => armed.push(target)
    await operate(connect(common, report, { ...options, arm, debug: line => core.debug(line) }))
    // Armed only by a step that succeeded: a failed one ran no deploy after it.
    if (armed.length > 0)
      core.saveState(
        ...stateToSave({
          targets: armed,
          apiUrl: common.apiUrl.href,
          timeoutMs: common.timeoutMs,
          pollIntervalMs: common.pollIntervalMs,
          maxParallel
        })
      )
  } catch (error) {
    failure = describeFailure(operation, error)
    // An expected failure is explained by its one line; a bug keeps its stack for the debug log.
    if (!isExpected(error) && error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(failure)
  }
  if (asked?.rollbackOnFailure) sayWhatIsArmed(report, failure === undefined ? armed : [], asked.dryRun)
  await writeReport(operation, report.outcome, Date.now() - started, failure, { dryRun: asked?.dryRun ?? false })
}

/** What the post step will restore if a later step fails, or why it will restore nothing. */
function sayWhatIsArmed(report: Reporter, armed: RollbackTarget[], dryRun: boolean): void {
  if (armed.length > 0) return report.rollback(armedLine(armed))
  const why = dryRun ? 'a dry run arms nothing' : 'this step failed, so no deploy ran after it to undo'
  report.rollback(`Rollback not armed: ${why}.`)
}
