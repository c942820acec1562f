import { ApiError } from '../api/errors.ts'
import { OperationError } from '../errors.ts'
import { kindNamed } from '../kinds.ts'
import type { DeleteAction } from '../plan/actions.ts'
import type { Tools } from '../tools.ts'

const NOT_FOUND = 404

/**
 * Deletes one item. A 404 is not taken at its word (a wrong `api_url` answers 404 to everything):
 * the item is called gone only when a list read confirms it is absent. It was then deleted by
 * this step when an earlier attempt of the same DELETE may have acted (its answer was lost),
 * and was already gone otherwise.
 */
export async function deleteConfirmed(action: DeleteAction, tools: Tools): Promise<'deleted' | 'already gone'> {
  const kind = kindNamed(action.kind)
  try {
    await kind.remove(tools.client, action.id)
    return 'deleted'
  } catch (error) {
    if (!(error instanceof ApiError && error.status === NOT_FOUND)) throw error
    const items = await kind.list(tools.client, action.serverId).catch((listError: unknown) => {
      throw new OperationError(
        `${error.message}, and the list that would confirm that ${kind.noun} ${action.id} is gone could not be read either: ${(listError as Error).message}`
      )
    })
    if (items.some(item => item.id === action.id)) {
      throw new ApiError(
        error.status,
        error.endpoint,
        `${error.apiMessage} (yet ${kind.noun} ${action.id} is still listed: check api_url)`
      )
    }
    return error.earlierAttemptMayHaveActed ? 'deleted' : 'already gone'
  }
}
