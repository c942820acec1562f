import * as core from '@actions/core'
import { connect, type ConnectOptions } from './api/connect.ts'
import { COMPLETED } from './api/types.ts'
import { describeFailure, explain, OperationError } from './errors.ts'
import { sendRestore } from './execute/restore.ts'
import { onEachServer } from './fleet.ts'
import { readToken } from './inputs.ts'
import { kindNamed } from './kinds.ts'
import { restoreAction } from './operations/restore.ts'
import { ActionsReporter, writeReport } from './report.ts'
import type { ArmedRollback, RollbackTarget } from './state.ts'
import type { Tools } from './tools.ts'

const STEP = 'rollback'

/**
 * Restores exactly what the main step armed, never creates anything, and always waits until the
 * server is back: a rollback whose end nobody sees is no safety net. One that cannot be done
 * fails the post step, naming the server and why.
 */
export async function rollBack(armed: ArmedRollback, options: Pick<ConnectOptions, 'dispatcher' | 'clock'> = {}): Promise<void> {
  const started = Date.now()
  const report = new ActionsReporter()
  let failure: string | undefined
  try {
    const connection = { apiUrl: new URL(armed.apiUrl), apiToken: readToken(), timeoutMs: armed.timeoutMs, pollIntervalMs: armed.pollIntervalMs }
    const tools = connect(connection, report, { ...options, debug: line => core.debug(line) })
    const [only] = armed.targets
    if (armed.targets.length === 1 && only) {
      await restoreServer(only, tools).catch((error: unknown) => {
        throw new OperationError(`server ${only.serverId} ${explain(error)}`)
      })
    } else {
      // A fleet: every armed server side by side, each from its own item; the step fails naming each one that could not be.
      const byServer = new Map(armed.targets.map(target => [target.serverId, target]))
      await onEachServer(
        [...byServer.keys()],
        armed.maxParallel,
        tools,
        async (serverId, serverTools) => {
          const target = byServer.get(serverId)
          if (target) await restoreServer(target, serverTools)
        },
        'server'
      )
    }
  } catch (error) {
    failure = describeFailure(STEP, error)
    core.setFailed(failure)
  }
  await writeReport(STEP, report.outcome, Date.now() - started, failure)
}

async function restoreServer(target: RollbackTarget, tools: Tools): Promise<void> {
  const kind = kindNamed(target.kind)
  const what = `${kind.noun} ${target.id}`
  try {
    const item = (await kind.list(tools.client, target.serverId)).find(candidate => candidate.id === target.id)
    if (!item) throw new OperationError(`${what}, armed by the main step, no longer exists`)
    if (item.status !== COMPLETED) throw new OperationError(`${kind.label(item)}, armed by the main step, is now "${item.status}"`)
    tools.report.note(
      `The job failed after this step armed the rollback: restoring server ${target.serverId} from ${kind.label(item)}, taken before the deploy.`
    )
    await sendRestore(restoreAction(kind, item, tools), tools, { wait: true })
  } catch (error) {
    throw new OperationError(`could not be rolled back from ${what}: ${explain(error)}`)
  }
}
