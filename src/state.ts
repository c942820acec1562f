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

/** What the main step armed, or undefined when it armed nothing. */
export function armedRollback(): ArmedRollback | undefined {
  const raw = readState(ROLLBACK)
  if (!raw) return undefined
  const armed = JSON.parse(raw) as Partial<ArmedRollback>
  const valid =
    Array.isArray(armed.targets) &&
    armed.targets.length > 0 &&
    armed.targets.every(isTarget) &&
    typeof armed.apiUrl === 'string' &&
    Number.isFinite(armed.timeoutMs) &&
    Number.isFinite(armed.pollIntervalMs) &&
    Number.isSafeInteger(armed.maxParallel)
  if (!valid) throw new Error(`the saved rollback is not readable: ${raw}`)
  return armed as ArmedRollback
}

function isTarget(value: unknown): value is RollbackTarget {
  const target = value as Partial<RollbackTarget> | null
  return (target?.kind === 'snapshot' || target?.kind === 'backup') && Number.isSafeInteger(target.id) && Number.isSafeInteger(target.serverId)
}

function readState(key: string): string {
  return process.env[`STATE_${key}`] ?? ''
}
