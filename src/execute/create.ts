import { answerOf, isUnreadableSuccess } from '../api/errors.ts'
import { verdict } from '../api/answers.ts'
import type { Backup, Snapshot } from '../api/types.ts'
import { OperationError } from '../errors.ts'
import { plain } from '../format.ts'
import type { Kind } from '../kinds.ts'
import type { CreateAction } from '../plan/actions.ts'
import type { Tools } from '../tools.ts'

/** Sends of one create at most, lookups in between. */
const MAX_CREATE_ATTEMPTS = 3
/** How far the API's clock may be behind the runner's when matching a new item's created_at. */
const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000

/**
 * Sends the create. When its outcome is unknown (`look-first` in the answers table), it is never
 * re-sent blindly: the server's list is read first and what the request created, if anything, is
 * adopted. Only when nothing was created is the request sent again.
 */
export async function sendCreate<T extends Snapshot | Backup>(
  kind: Kind<T>,
  action: CreateAction,
  tools: Tools
): Promise<T> {
  const what = action.name === undefined ? `manual backup "${action.description}"` : `snapshot "${action.name}"`
  // The marker opens the description: a name the user chose may already be in use, the marker
  // (unique to this step) never is, so a lost answer is matched to this create alone.
  const isOurs = (item: T) =>
    (action.name === undefined || ('name' in item && item.name === action.name)) &&
    (item.description ?? '').startsWith(action.marker)
  for (let attempt = 1; ; attempt++) {
    const sentAt = tools.clock.now()
    try {
      return await kind.create(tools.client, action)
    } catch (error) {
      const answer = answerOf(error)
      if (!answer || verdict('POST', answer) !== 'look-first' || attempt >= MAX_CREATE_ATTEMPTS) throw error
      tools.report.say(
        plain(
          `No clear answer to the create of ${what} (${(error as Error).message}); looking for what it may have created.`
        )
      )
      const items = await kind.list(tools.client, action.serverId).catch(() => {
        throw new OperationError(
          `${(error as Error).message}; it may still have created ${what}, which could not be checked: look at the server's ${kind.noun}s`
        )
      })
      const found = items.find(item => isOurs(item) && Date.parse(item.created_at) >= sentAt - CLOCK_SKEW_ALLOWANCE_MS)
      if (found) {
        tools.report.note(`The create had gone through although its answer was lost: adopted ${kind.label(found)}.`)
        return found
      }
      // The API said yes, so something was created; it is not in the list yet: never send twice.
      if (isUnreadableSuccess(error)) throw error
      tools.report.say(
        `Nothing was created; sending the create again (attempt ${attempt + 1} of ${MAX_CREATE_ATTEMPTS}).`
      )
    }
  }
}
