import { COMPLETED, IN_PROGRESS, type Backup, type Item, type Snapshot } from '../api/types.ts'
import type { Kind } from '../kinds.ts'
import { OperationError } from '../errors.ts'
import { newestFirst } from './selection.ts'

/** What rotation needs to know of a server's items. */
export interface RotationInput<T extends Item> {
  /** Every item of the kind on the server, in any order. */
  items: T[]
  /** Made by this action: the snapshot name, or the manual backup description, starts with name_prefix. */
  isOwn: (item: T) => boolean
  /** Counted against the provider's limit (every snapshot; manual backups only). */
  countsTowardLimit: (item: T) => boolean
  /** The provider's limit per server: 5 snapshots, 10 manual backups. */
  limit: number
  noun: string
}

/** A server's items of one kind, as rotation sees them: the kind says which are the action's own and which count toward the limit. */
export function rotationOf<T extends Snapshot | Backup>(kind: Kind<T>, items: T[], namePrefix: string): RotationInput<T> {
  return {
    items,
    isOwn: item => kind.isOwn(item, namePrefix),
    countsTowardLimit: item => kind.countsTowardLimit(item),
    limit: kind.limit,
    noun: kind.noun
  }
}

/** Deletable at all: the action's own, and not still being made. */
function deletable<T extends Item>(input: RotationInput<T>, item: T): boolean {
  return input.isOwn(item) && item.status !== IN_PROGRESS
}

/**
 * Before a create, at the provider's limit: the fewest of the action's own items, oldest first,
 * whose deletion makes room for one more. Throws when the items at the limit are not its own.
 */
export function deletionsBeforeCreate<T extends Item>(input: RotationInput<T>): T[] {
  const counted = input.items.filter(input.countsTowardLimit)
  const excess = counted.length - input.limit + 1
  if (excess <= 0) return []
  const candidates = newestFirst(counted.filter(item => deletable(input, item))).reverse()
  if (candidates.length < excess) {
    throw new OperationError(
      `the server already has ${counted.length} ${input.noun}s, the provider's limit is ${input.limit}, and only ${candidates.length} of them ` +
        `are the action's own and not in progress, so rotation cannot make room; delete ${excess - candidates.length} by hand. No ${input.noun} was created.`
    )
  }
  return candidates.slice(0, excess)
}

/**
 * After the new item completed, or for a prune: the action's own items beyond the newest
 * `keep` completed ones (a failed one is never worth keeping), never the new item and never
 * one still in progress.
 */
export function deletionsBeyondKeep<T extends Item>(input: RotationInput<T>, keep: number, newItemId?: number): T[] {
  const own = newestFirst(input.items.filter(input.isOwn))
  const kept = new Set(
    own
      .filter(item => item.status === COMPLETED)
      .slice(0, keep)
      .map(item => item.id)
  )
  if (newItemId !== undefined) kept.add(newItemId)
  return own.filter(item => !kept.has(item.id) && deletable(input, item)).reverse()
}

/**
 * A create's rotation, planned from one read of the server's items: the deletions before it
 * (the fewest that make room under the limit) and those once the new item is completed (the
 * action's own beyond `keep`, the new item taking one of the places). With `keep` 0 nothing is
 * deleted, and a server at the limit is refused before anything is sent, as the provider would.
 */
export function planRotation<T extends Item>(input: RotationInput<T>, keep: number): { before: T[]; after: T[] } {
  if (keep === 0) {
    const counted = input.items.filter(input.countsTowardLimit).length
    if (counted >= input.limit) {
      throw new OperationError(
        `the server already has ${counted} ${input.noun}s, the provider's limit is ${input.limit}, so the create would be refused; ` +
          `set keep to rotate the action's own, or delete one by hand. No ${input.noun} was created.`
      )
    }
    return { before: [], after: [] }
  }
  const before = deletionsBeforeCreate(input)
  const rest = { ...input, items: input.items.filter(item => !before.includes(item)) }
  return { before, after: deletionsBeyondKeep(rest, keep - 1) }
}
