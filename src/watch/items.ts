import { COMPLETED, IN_PROGRESS, type Backup, type Snapshot } from '../api/types.ts'
import { OperationError } from '../errors.ts'
import type { Kind } from '../kinds.ts'
import type { Tools } from '../tools.ts'
import { pollUntil } from './poll.ts'

/**
 * Polls a snapshot or backup in its server's list (there is no "get one" endpoint) until it is
 * completed, through the step's status board, which reads the lists of every server due at the
 * same tick together. Every check is recorded, so a failed or timed-out wait still sets its
 * outputs.
 */
export async function waitForItem<T extends Snapshot | Backup>(
  kind: Kind<T>,
  id: number,
  serverId: number,
  tools: Tools,
  options: { atOnce?: boolean } = {}
): Promise<T> {
  const what = `${kind.noun} ${id}`
  return pollUntil(tools, {
    what,
    atOnce: options.atOnce ?? false,
    expect: at => tools.board.expect(at),
    check: async at => {
      const item = (await tools.board.items(at, kind.noun, serverId)).find(candidate => candidate.id === id) as T | undefined
      if (!item) throw new OperationError(`${what} was not found on server ${serverId}`)
      tools.report.item(item)
      if (item.status !== COMPLETED && item.status !== IN_PROGRESS) throw new OperationError(`${what} ended with status "${item.status}"`)
      return { value: item, status: item.status, done: item.status === COMPLETED }
    }
  })
}
