import * as core from '@actions/core'
import type { RunOptions } from './main.ts'
import { armedRollback, type ArmedRollback } from './state.ts'

/**
 * The post step, which action.yml runs only when the job failed. Its state is read first: a
 * step that armed nothing ends here, printing nothing and loading nothing else. Whatever it meets
 * after that, it ends with one error line and a summary, never a crash.
 */
export async function post(options: RunOptions = {}): Promise<void> {
  let armed: ArmedRollback | undefined
  try {
    armed = armedRollback()
  } catch (error) {
    return failWithoutRestoring(error)
  }
  if (!armed) return
  const { rollBack } = await import('./rollback.ts')
  await rollBack(armed, options)
}

async function failWithoutRestoring(error: unknown): Promise<void> {
  const failure = `rollback failed: ${error instanceof Error ? error.message : String(error)}`
  core.setFailed(failure)
  const { Outcome, writeReport } = await import('./report.ts')
  await writeReport('rollback', new Outcome(), 0, failure, { post: true })
}
