import * as core from '@actions/core'

/**
 * What the main step hands to the post step, through the runner's `GITHUB_STATE` file (read
 * back as `STATE_*` variables). The only module that knows the keys.
 */
const IS_POST = 'isPost'

/** Called by the main step, so that the same bundle knows it is the post step next time. */
export function markMainStepRan(): void {
  core.saveState(IS_POST, 'true')
}

export function isPostStep(): boolean {
  return core.getState(IS_POST) === 'true'
}

const ROLLBACK_TARGET = 'rollbackTarget'

/** What the main step created, for the post step to restore from if the job fails. */
export interface RollbackTarget {
  kind: 'snapshot' | 'backup'
  id: number
  serverId: number
}

export function saveRollbackTarget(target: RollbackTarget): void {
  core.saveState(ROLLBACK_TARGET, JSON.stringify(target))
}

/** The saved target, or undefined when the main step created nothing. */
export function rollbackTarget(): RollbackTarget | undefined {
  const raw = core.getState(ROLLBACK_TARGET)
  if (!raw) return undefined
  const target = JSON.parse(raw) as Partial<RollbackTarget>
  const valid = (target.kind === 'snapshot' || target.kind === 'backup') && Number.isSafeInteger(target.id) && Number.isSafeInteger(target.serverId)
  if (!valid) throw new Error(`the saved rollback target is not readable: ${raw}`)
  return target as RollbackTarget
}
