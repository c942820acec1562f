import * as core from '@actions/core'
import type { Dispatcher } from 'undici'
import { VpsClient } from './api/client.ts'
import { retryingDispatcher } from './api/retry.ts'
import { describeFailure, isExpected } from './errors.ts'
import { plain } from './format.ts'
import { readSettings, type Settings } from './inputs.ts'
import { execute } from './operations/index.ts'
import type { Tools } from './operations/tools.ts'
import { Outcome, writeReport } from './report.ts'
import { MAIN_STEP_RAN } from './state.ts'

export interface RunOptions {
  /** Where requests go, behind the retry policy: a real `Agent` unless a test passes a `MockAgent`. */
  dispatcher?: Dispatcher
}

/** The main step: inputs → operation → outputs and summary; one error line on failure. */
export async function run(options: RunOptions = {}): Promise<void> {
  const started = Date.now()
  const outcome = new Outcome()
  const operation = core.getInput('operation') || 'vps-org-snapshot-action'
  let failure: string | undefined
  try {
    core.saveState(...MAIN_STEP_RAN)
    const settings = await readSettings()
    await execute(settings, connect(settings, outcome, options.dispatcher, started))
  } catch (error) {
    failure = describeFailure(operation, error)
    // An expected failure is explained by its one line; a bug keeps its stack for the debug log.
    if (!isExpected(error) && error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(failure)
  }
  await writeReport(operation, outcome, Date.now() - started, failure)
}

export function connect(settings: Settings, outcome: Outcome, dispatcher: Dispatcher | undefined, started: number): Tools {
  const deadline = started + settings.timeoutMs
  const client = new VpsClient({
    baseUrl: settings.apiUrl,
    token: settings.apiToken,
    dispatcher: retryingDispatcher(deadline, dispatcher, line => core.info(plain(line))),
    deadline,
    log: line => core.debug(line)
  })
  return { client, outcome, deadline }
}
