import { EOL } from 'node:os'
import type { Dispatcher } from 'undici'
import { hasRollbackTarget } from './state.ts'

/**
 * The post step, which action.yml runs only when the job failed: restores the server from
 * exactly what the main step created (`rollback.ts`), and never creates anything.
 *
 * The target is saved only when rollback was asked for and something was created, so it is read
 * first: a main step that failed on its inputs leaves nothing, and nothing to re-check. Such a
 * step says so and ends here, before @actions/core, undici or any operation is loaded; its one
 * line is written as `core.info` writes it, the input read as `core.getInput` reads it.
 */
export async function post(options: { dispatcher?: Dispatcher } = {}): Promise<void> {
  const started = Date.now()
  if (!hasRollbackTarget()) {
    const requested = (process.env.INPUT_ROLLBACK_ON_FAILURE ?? '').trim().toLowerCase() === 'true'
    process.stdout.write(`No rollback: ${requested ? 'the main step created nothing to restore from' : 'rollback_on_failure is not true for this step'}.${EOL}`)
    return
  }
  const { rollBack } = await import('./rollback.ts')
  await rollBack(options, started)
}
