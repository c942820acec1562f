import type { Backup, Snapshot } from '../api/types.ts'
import type { Kind, KindName } from '../kinds.ts'

/**
 * What a step will do, worked out before it does any of it: an operation reads what it needs,
 * plans, and then either carries the plan out or, in a dry run, prints it. Both come from the
 * same plan, so a dry run says exactly what the real run would do.
 */
export type Action = DeleteAction | CreateAction | RestoreAction

export interface Plan {
  /** In the order they are carried out. */
  actions: Action[]
}

export interface DeleteAction {
  do: 'delete'
  kind: KindName
  id: number
  /** How the log names it: `snapshot 801 "pre-deploy"`. */
  label: string
  /** Its server, when known: where its absence is checked if the API says it is gone. */
  serverId: number | undefined
  createdAt: string | undefined
  /** Why it goes, when rotation chose it: `to keep the newest 3`. */
  reason?: string | undefined
  /**
   * Rotation after the new item completed: housekeeping, whose failure is a warning, never the
   * step's. A deletion before the create (to make room) is not: without it nothing is created.
   */
  afterCreate: boolean
}

export interface CreateAction {
  do: 'create'
  kind: KindName
  serverId: number
  /** The snapshot's name; backups have none. */
  name: string | undefined
  /** The whole description sent: the step's marker, then the user's text. */
  description: string
  /** Unique to this step; opens the description, so that a lost answer is matched to this create alone. */
  marker: string
}

export interface RestoreAction {
  do: 'restore'
  kind: KindName
  id: number
  label: string
  createdAt: string
  serverId: number
}

/** The deletion of one of a server's items, as a create's rotation, a prune and a delete plan it. */
export function deletionOf<T extends Snapshot | Backup>(
  kind: Kind<T>,
  item: T,
  why: { reason?: string; afterCreate?: boolean } = {}
): DeleteAction {
  return {
    do: 'delete',
    kind: kind.noun,
    id: item.id,
    label: kind.label(item),
    serverId: item.server.id,
    createdAt: item.created_at,
    reason: why.reason,
    afterCreate: why.afterCreate ?? false
  }
}

/** `snapshot 801 "x" of 2026-01-01T00:00:00Z on server 12345`: which item a deletion removes. */
export function deletedItem(action: DeleteAction): string {
  return `${action.label}${action.createdAt ? ` of ${action.createdAt}` : ''}${action.serverId === undefined ? '' : ` on server ${action.serverId}`}`
}

/** The action as a phrase after "would": `delete snapshot 801 "x" of 2026-01-01T00:00:00Z to keep the newest 3`. */
export function describeAction(action: Action): string {
  switch (action.do) {
    case 'delete':
      return `delete ${deletedItem(action)}${action.reason ? ` ${action.reason}` : ''}`
    case 'create':
      return `create ${action.kind === 'snapshot' ? `snapshot "${action.name}"` : `manual backup "${action.description}"`} of server ${action.serverId}`
    case 'restore':
      return `restore server ${action.serverId} from ${action.label} of ${action.createdAt}, overwriting its disk`
  }
}
