import type { RunOptions } from './main.ts'
import { armedRollback } from './state.ts'

/**
 * The post step, which action.yml runs only when the job failed. Its state is read first: a
 * step that armed nothing ends here, printing nothing and loading nothing else.
 */
export async function post(options: RunOptions = {}): Promise<void> {
  const armed = armedRollback()
  if (!armed) return
  const { rollBack } = await import('./rollback.ts')
  await rollBack(armed, options)
}
