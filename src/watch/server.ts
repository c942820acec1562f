import type { Server } from '../api/types.ts'
import { OperationError, WaitTimeoutError } from '../errors.ts'
import { restoreProgress } from '../plan/restore-progress.ts'
import type { Tools } from '../tools.ts'
import { pollUntil } from './poll.ts'

/** After a restore was accepted: polls the server until it is at rest again (`plan/restore-progress.ts`). */
export async function waitForRestore(serverId: number, tools: Tools): Promise<Server> {
  return pollUntil(tools, {
    what: `server ${serverId}`,
    title: `Waiting for the restore of server ${serverId}`,
    check: async () => {
      const server = await readServer(serverId, tools)
      return { value: server, status: server.status, done: restoreProgress(server.status) === 'finished' }
    }
  })
}

/**
 * After a restore whose answer was lost: it is never sent twice, since a server's status cannot
 * tell a finished restore from one never received. So the server is watched for the restore's
 * first signs (stopping, restoring); if none shows before the deadline, the step fails saying
 * the restore may have been received.
 */
export async function waitForRestoreToBegin(serverId: number, lostAnswer: string, tools: Tools): Promise<Server> {
  try {
    return await pollUntil(tools, {
      what: `server ${serverId}`,
      title: `Watching server ${serverId} for the restore to begin`,
      atOnce: true,
      check: async () => {
        const server = await readServer(serverId, tools)
        return { value: server, status: server.status, done: restoreProgress(server.status) === 'in progress' }
      }
    })
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error
    throw new OperationError(
      `the restore of server ${serverId} got no clear answer (${lostAnswer}), and the server showed no sign of it before the step's timeout ran out: ` +
        `the restore may still have been received. It was not sent twice. Check server ${serverId} in the VPS.org panel before restoring again`
    )
  }
}

async function readServer(serverId: number, tools: Tools): Promise<Server> {
  const server = await tools.client.getServer(serverId)
  tools.report.set({ status: server.status })
  if (restoreProgress(server.status) === 'failed') throw new OperationError(`server ${serverId} ended the restore with status "${server.status}"`)
  return server
}
