import type { KindName } from './kinds.ts'

/**
 * What the main step hands to the post step, through the runner's `GITHUB_STATE` file (read back
 * as `STATE_<key>` variables, which is all `core.getState` does). The only module that knows the
 * keys. It reads without loading anything, so that the post step of a step that armed nothing
 * ends at once; the entry point writes what `stateToSave` gives with `core.saveState`.
 */
const IS_POST = 'isPost'
const ROLLBACK = 'rollback'

/** A completed item that the post step restores its server from if the job fails. */
export interface RollbackTarget {
  kind: KindName
  id: number
  serverId: number
}

/** Everything the post step needs besides the token, which it reads from its input again. */
export interface ArmedRollback {
  targets: RollbackTarget[]
  apiUrl: string
  timeoutMs: number
  pollIntervalMs: number
  /** Servers restored at once, as the main step worked on them. */
  maxParallel: number
}

/** Saved as the main step starts, so that the same bundle knows it is the post step next time. */
export const MAIN_STEP_RAN: readonly [string, string] = [IS_POST, 'true']

export function isPostStep(): boolean {
  return readState(IS_POST) === 'true'
}

export function stateToSave(armed: ArmedRollback): [string, string] {
  return [ROLLBACK, JSON.stringify(armed)]
}

/**
 * What the main step armed, or undefined when it armed nothing. Throws when the saved state
 * cannot be read, naming the servers it speaks of where that much can be made out.
 */
export function armedRollback(): ArmedRollback | undefined {
  const raw = readState(ROLLBACK)
  if (!raw) return undefined
  let armed: Partial<ArmedRollback> | null = null
  try {
    armed = JSON.parse(raw) as Partial<ArmedRollback> | null
  } catch {
    // Unreadable as a whole: the servers are named below as far as the text shows them.
  }
  const valid =
    armed !== null &&
    typeof armed === 'object' &&
    Array.isArray(armed.targets) &&
    armed.targets.length > 0 &&
    armed.targets.every(isTarget) &&
    typeof armed.apiUrl === 'string' &&
    Number.isFinite(armed.timeoutMs) &&
    Number.isFinite(armed.pollIntervalMs) &&
    Number.isSafeInteger(armed.maxParallel)
  if (!valid) throw new UnreadableRollbackError(raw)
  return armed as ArmedRollback
}

/** The saved rollback cannot be read: nothing can be restored, and the error says which servers it named. */
class UnreadableRollbackError extends Error {
  override readonly name = 'UnreadableRollbackError'

  constructor(raw: string) {
    const servers = [...new Set([...raw.matchAll(/"serverId"\s*:\s*(\d+)/g)].map(match => match[1]))]
    const whose =
      servers.length > 0 ? `, which armed server${servers.length === 1 ? '' : 's'} ${servers.join(', ')},` : ''
    super(
      `the state the main step saved${whose} is not readable, so nothing was restored: check ${servers.length > 0 ? 'those servers' : 'the servers'} by hand (saved: ${raw.slice(0, 200)})`
    )
  }
}

function isTarget(value: unknown): value is RollbackTarget {
  const target = value as Partial<RollbackTarget> | null
  return (
    (target?.kind === 'snapshot' || target?.kind === 'backup') &&
    Number.isSafeInteger(target.id) &&
    Number.isSafeInteger(target.serverId)
  )
}

function readState(key: string): string {
  return process.env[`STATE_${key}`] ?? ''
}

/** `Rollback armed: if a later step of this job fails, the post step restores server 12345 from snapshot 801.` */
export function armedLine(targets: readonly RollbackTarget[]): string {
  const each = targets.map(target => `server ${target.serverId} from ${target.kind} ${target.id}`).join(', ')
  return `Rollback armed: if a later step of this job fails, the post step restores ${each}.`
}
