import { COMPLETED, type Item } from '../api/types.ts'
import { OperationError } from '../errors.ts'

/** The snapshot or backup an operation acts on, found in a list of the server's items. */
interface Lookup<T extends Item> {
  noun: string
  serverId: number | undefined
  items: T[]
}

export function newestFirst<T extends Item>(items: T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)
}

/** `latest`: the newest completed item of the server. */
export function pickLatest<T extends Item>({ noun, serverId, items }: Lookup<T>): T {
  const latest = newestFirst(items).find(item => item.status === COMPLETED)
  if (!latest)
    throw new OperationError(
      `server ${serverId} has no completed ${noun} to use as "latest" (${items.length} ${noun}s in all)`
    )
  return latest
}

/** By name: the newest completed snapshot with exactly that name. */
export function pickByName<T extends Item & { name: string }>({ noun, serverId, items }: Lookup<T>, name: string): T {
  const named = newestFirst(items.filter(item => item.name === name))
  if (named.length === 0) throw new OperationError(`server ${serverId} has no ${noun} named "${name}"`)
  const completed = named.find(item => item.status === COMPLETED)
  if (!completed)
    throw new OperationError(
      `${noun} "${name}" (id ${named[0]?.id}) is ${named[0]?.status}; only a completed ${noun} can be used`
    )
  return completed
}

/**
 * By id, refusing one that belongs to another server than the one named: restoring a server
 * from another server's snapshot would overwrite it with someone else's disk.
 */
export function pickById<T extends Item>({ noun, serverId, items }: Lookup<T>, id: number): T {
  const item = items.find(candidate => candidate.id === id)
  if (!item)
    throw new OperationError(`${noun} ${id} was not found${serverId === undefined ? '' : ` on server ${serverId}`}`)
  if (serverId !== undefined && item.server.id !== serverId) {
    throw new OperationError(
      `${noun} ${id} belongs to server ${item.server.id}, not to server ${serverId}; nothing was restored`
    )
  }
  return item
}

/** Only a completed item can be restored from. */
export function requireCompleted<T extends Item>(noun: string, item: T): T {
  if (item.status !== COMPLETED)
    throw new OperationError(`${noun} ${item.id} is ${item.status}; only a completed ${noun} can be restored`)
  return item
}
