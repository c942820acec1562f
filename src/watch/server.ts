import type { Server } from '../api/types.ts'
import { OperationError, WaitTimeoutError } from '../errors.ts'
import { restoreProgress } from '../plan/restore-progress.ts'
import type { Answer, Tools } from '../tools.ts'

/** After a restore was accepted: watches the server until it is at rest again (`plan/restore-progress.ts`). */
export async function waitForRestore(serverId: number, tools: Tools): Promise<Server> {
  return tools.report.group(`Waiting for the restore of server ${serverId}`, () =>
    tools.poller.watch({
      ...serverWatch(serverId, tools),
      atOnce: false,
      check: answer => {
        const server = judged(answer, serverId, tools)
        return { value: server, status: server.status, done: restoreProgress(server.status) === 'finished' }
      }
    })
  )
}

/**
 * After a restore whose answer was lost: it is never sent twice, since a server's status cannot
 * tell a finished restore from one never received. So the server is watched for the restore's
 * first signs (stopping, restoring); if none shows before the deadline, the step fails saying
 * the restore may have been received and may be running, naming the restore's own request.
 */
export async function waitForRestoreToBegin(serverId: number, lostAnswer: string, tools: Tools): Promise<Server> {
  try {
    return await tools.report.group(`Watching server ${serverId} for the restore to begin`, () =>
      tools.poller.watch({
        ...serverWatch(serverId, tools),
        atOnce: true,
        check: answer => {
          const server = judged(answer, serverId, tools)
          return { value: server, status: server.status, done: restoreProgress(server.status) === 'in progress' }
        }
      })
    )
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error
    throw new OperationError(
      `the restore of server ${serverId} got no clear answer (${lostAnswer}), and the server showed no sign of it before the step's timeout ran out: ` +
        `the restore may have been received and may be running. It was not sent twice. Check server ${serverId}'s status in the VPS.org panel before restoring again`
    )
  }
}

function serverWatch(serverId: number, tools: Tools) {
  return { serverId, what: `server ${serverId}`, reads: 'server' as const, client: tools.client, report: tools.report }
}

function judged(answer: Answer, serverId: number, tools: Tools): Server {
  if (answer.of !== 'server') throw new Error(`a status check of server ${serverId} read a list instead of the server`)
  tools.report.serverStatus(answer.server.status)
  if (restoreProgress(answer.server.status) === 'failed')
    throw new OperationError(`server ${serverId} ended the restore with status "${answer.server.status}"`)
  return answer.server
}
