import * as core from '@actions/core'
import { connect, type ConnectOptions } from './compose.ts'
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
export async function rollBack(
  armed: ArmedRollback,
  options: Pick<ConnectOptions, 'dispatcher' | 'clock'> = {}
): Promise<void> {
  const started = Date.now()
  const report = new ActionsReporter()
  let failure: string | undefined
  let working = false
  try {
    const connection = {
      apiUrl: new URL(armed.apiUrl),
      apiToken: readToken(),
      timeoutMs: armed.timeoutMs,
      pollIntervalMs: armed.pollIntervalMs
    }
    const tools = connect(connection, report, { ...options, debug: line => core.debug(line) })
    // Every armed server side by side, each from its own item; restoring the rest is the point.
    const byServer = new Map(armed.targets.map(target => [target.serverId, target]))
    working = true
    await onEachServer(
      {
        serverIds: [...byServer.keys()],
        maxParallel: armed.maxParallel,
        statusOf: 'server',
        work: async (serverId, serverTools) => {
          const target = byServer.get(serverId)
          if (target) await restoreServer(target, serverTools)
        }
      },
      tools
    )
    report.rollback(
      `Rolled back: ${armed.targets.map(target => `server ${target.serverId} restored from ${target.kind} ${target.id}`).join(', ')}.`
    )
  } catch (error) {
    // Failed before any server was worked on (no token, a bad URL): say which ones were left as they are.
    const untouched = working
      ? ''
      : `; nothing was restored: ${armed.targets.map(target => `server ${target.serverId} (${target.kind} ${target.id})`).join(', ')}`
    failure = describeFailure(STEP, error) + untouched
    core.setFailed(failure)
  }
  await writeReport(STEP, report.outcome, Date.now() - started, failure, { post: true })
}

async function restoreServer(target: RollbackTarget, tools: Tools): Promise<void> {
  const kind = kindNamed(target.kind)
  const what = `${kind.noun} ${target.id}`
  try {
    const item = (await kind.list(tools.client, target.serverId)).find(candidate => candidate.id === target.id)
    if (!item) throw new OperationError(`${what}, armed by the main step, no longer exists`)
    if (item.status !== COMPLETED)
      throw new OperationError(`${kind.label(item)}, armed by the main step, is now "${item.status}"`)
    tools.report.note(
      `The job failed after this step armed the rollback: restoring server ${target.serverId} from ${kind.label(item)}, taken before the deploy.`
    )
    await sendRestore(restoreAction(kind, item, tools), tools, { wait: true })
  } catch (error) {
    throw new OperationError(`server ${target.serverId} could not be rolled back from ${what}: ${explain(error)}`)
  }
}
