import { COMPLETED, IN_PROGRESS, type Backup, type Snapshot } from '../api/types.ts'
import { OperationError } from '../errors.ts'
import type { Kind } from '../kinds.ts'
import type { Tools } from '../tools.ts'

/**
 * Waits for a snapshot or backup in its server's list (there is no "get one" endpoint) until it
 * is completed, through the step's poller, which reads the lists of every server due at the same
 * tick together. Each check records the item, so that a failed or timed-out wait still sets its
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
  return tools.report.group(`Waiting for ${what}`, () =>
    tools.poller.watch({
      serverId,
      what,
      reads: kind.noun,
      client: tools.client,
      report: tools.report,
      atOnce: options.atOnce ?? false,
      check: answer => {
        const item =
          answer.of === 'items' ? (answer.items.find(candidate => candidate.id === id) as T | undefined) : undefined
        if (!item) throw new OperationError(`${what} was not found on server ${serverId}`)
        tools.report.item(item)
        if (item.status !== COMPLETED && item.status !== IN_PROGRESS)
          throw new OperationError(`${what} ended with status "${item.status}"`)
        return { value: item, status: item.status, done: item.status === COMPLETED }
      }
    })
  )
}
