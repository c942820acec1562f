import { verdict } from '../api/answers.ts'
import { answerOf, isUnreadableSuccess } from '../api/errors.ts'
import type { Server } from '../api/types.ts'
import { plain } from '../format.ts'
import { kindNamed } from '../kinds.ts'
import type { RestoreAction } from '../plan/actions.ts'
import type { Tools } from '../tools.ts'
import { waitForRestore, waitForRestoreToBegin } from '../watch/server.ts'

/**
 * Restores the server, never sending the restore twice: one whose answer is lost is watched for,
 * not repeated (`watch/server.ts`). With `wait`, waits until the server is at rest again, and
 * returns it as it is then.
 */
export async function sendRestore(
  action: RestoreAction,
  tools: Tools,
  options: { wait: boolean }
): Promise<Server | undefined> {
  const kind = kindNamed(action.kind)
  const { serverId } = action
  const from = `${action.label} of ${action.createdAt}`
  try {
    const answer = await kind.restore(tools.client, action)
    tools.report.serverStatus(answer.server.status)
    tools.report.note(`Restoring server ${serverId} from ${from}: ${answer.message || answer.status}`)
  } catch (error) {
    const answer = answerOf(error)
    if (!answer || verdict('POST', answer) !== 'look-first') throw error
    const lost = (error as Error).message
    if (!isUnreadableSuccess(error)) {
      tools.report.say(
        plain(
          `No clear answer to the restore (${lost}); a restore is never sent twice, so the server is watched for it to begin.`
        )
      )
      await waitForRestoreToBegin(serverId, lost, tools)
    }
    tools.report.note(
      `Restoring server ${serverId} from ${from}: the restore was received, although its answer was lost on the way.`
    )
  }
  if (!options.wait) return undefined
  const server = await waitForRestore(serverId, tools)
  tools.report.note(`Server ${serverId} is ${server.status} again after the restore.`)
  return server
}
