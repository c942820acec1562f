import * as core from '@actions/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { COMPLETED, IN_PROGRESS, RESTORING, type Backup, type Server, type Snapshot } from '../api/types.ts'
import { OperationError } from '../errors.ts'
import { formatDuration, plain } from '../format.ts'
import type { CommonSettings } from '../inputs.ts'
import { nextPollDelay } from '../plan/schedule.ts'
import type { Kind } from './kinds.ts'
import type { Tools } from './tools.ts'

/** Time kept back before the deadline for the last status check to be answered. */
const LAST_CHECK_MARGIN_MS = 500

type Timing = Pick<CommonSettings, 'pollIntervalMs' | 'timeoutMs'>

/**
 * Polls a snapshot or backup in its server's list (there is no "get one" endpoint) until it is
 * completed. Every check is recorded, so a failed or timed-out wait still sets its outputs.
 */
export async function waitForItem<T extends Snapshot | Backup>(kind: Kind<T>, id: number, serverId: number, timing: Timing, tools: Tools, options: { checkFirst?: boolean } = {}): Promise<T> {
  const what = `${kind.noun} ${id}`
  return pollUntil(what, timing, tools, options.checkFirst ?? false, async () => {
    const item = (await kind.list(tools.client, serverId)).find(candidate => candidate.id === id)
    if (!item) throw new OperationError(`${what} was not found on server ${serverId}`)
    tools.outcome.item(item)
    if (item.status !== COMPLETED && item.status !== IN_PROGRESS) throw new OperationError(`${what} ended with status "${item.status}"`)
    return { value: item, status: item.status, done: item.status === COMPLETED }
  })
}

/** After a restore, polls the server until it leaves `restoring`. */
export async function waitForRestore(serverId: number, timing: Timing, tools: Tools): Promise<Server> {
  return pollUntil(`server ${serverId}`, timing, tools, false, async () => {
    const server = await tools.client.getServer(serverId)
    tools.outcome.set({ status: server.status })
    if (/fail|error/i.test(server.status)) throw new OperationError(`server ${serverId} ended the restore with status "${server.status}"`)
    return { value: server, status: server.status, done: server.status !== RESTORING }
  })
}

interface Check<T> {
  value: T
  status: string
  done: boolean
}

/** Status checks, folded into one log group so a long wait stays one line until opened. */
async function pollUntil<T>(what: string, timing: Timing, tools: Tools, checkFirst: boolean, check: () => Promise<Check<T>>): Promise<T> {
  return core.group(`Waiting for ${what}`, () => poll(what, timing, tools, checkFirst, check))
}

async function poll<T>(what: string, timing: Timing, tools: Tools, checkFirst: boolean, check: () => Promise<Check<T>>): Promise<T> {
  const started = Date.now()
  const lastCheckAt = tools.deadline - LAST_CHECK_MARGIN_MS
  let delay = checkFirst ? 0 : nextPollDelay(0, timing.pollIntervalMs)
  for (;;) {
    const wakeAt = Math.min(Date.now() + delay, lastCheckAt)
    await sleep(Math.max(0, wakeAt - Date.now()))
    const result = await check()
    core.info(plain(`${what}: ${result.status} (${formatDuration(Date.now() - started)} waited)`))
    if (result.done) return result.value
    if (wakeAt >= lastCheckAt) {
      throw new OperationError(`timed out after ${formatDuration(timing.timeoutMs)} (input "timeout") waiting for ${what}, still "${result.status}"`)
    }
    delay = nextPollDelay(Date.now() - started, timing.pollIntervalMs)
  }
}
