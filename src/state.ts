/**
 * What the main step hands to the post step, through the runner's `GITHUB_STATE` file (read
 * back as `STATE_*` variables). The only module that knows the keys.
 *
 * It loads nothing: the callers save what it gives with `core.saveState`, and it reads the
 * `STATE_<key>` variables itself, which is all `core.getState` does. So the entry point can tell
 * the two steps apart, and a post step with nothing armed can end, before @actions/core or
 * anything else is loaded.
 */
const IS_POST = 'isPost'

/** Saved by the main step, so that the same bundle knows it is the post step next time. */
export const MAIN_STEP_RAN: readonly [key: string, value: string] = [IS_POST, 'true']

export function isPostStep(): boolean {
  return readState(IS_POST) === 'true'
}

const ROLLBACK_TARGET = 'rollbackTarget'

/** What the main step created, for the post step to restore from if the job fails. */
export interface RollbackTarget {
  kind: 'snapshot' | 'backup'
  id: number
  serverId: number
}

/** The key and value to save for the post step to restore from `target`. */
export function stateToSave(target: RollbackTarget): [key: string, value: string] {
  return [ROLLBACK_TARGET, JSON.stringify(target)]
}

/** Whether the main step saved a target at all, readable or not. */
export function hasRollbackTarget(): boolean {
  return readState(ROLLBACK_TARGET) !== ''
}

/** The saved target, or undefined when the main step created nothing. */
export function rollbackTarget(): RollbackTarget | undefined {
  const raw = readState(ROLLBACK_TARGET)
  if (!raw) return undefined
  const target = JSON.parse(raw) as Partial<RollbackTarget>
  const valid = (target.kind === 'snapshot' || target.kind === 'backup') && Number.isSafeInteger(target.id) && Number.isSafeInteger(target.serverId)
  if (!valid) throw new Error(`the saved rollback target is not readable: ${raw}`)
  return target as RollbackTarget
}

/** `core.getState(key)`. */
function readState(key: string): string {
  return process.env[`STATE_${key}`] || ''
}
