import { WaitTimeoutError } from '../errors.ts'
import { formatDuration, plain } from '../format.ts'
import { nextPollDelay } from '../plan/schedule.ts'
import type { Tools } from '../tools.ts'

/** Time kept back before the deadline for the last status check to be answered. */
const LAST_CHECK_MARGIN_MS = 500

export interface Check<T> {
  value: T
  status: string
  done: boolean
}

/**
 * Status checks on the schedule of `plan/schedule.ts` until one says done, folded into one log
 * group so that a long wait stays one line until opened. The last check comes just before the
 * step's deadline; after it, the wait fails, saying how long it waited and the last status.
 */
export async function pollUntil<T>(what: string, tools: Tools, check: () => Promise<Check<T>>, options: { checkFirst?: boolean; title?: string } = {}): Promise<T> {
  return tools.report.group(options.title ?? `Waiting for ${what}`, () => poll(what, tools, check, options.checkFirst ?? false))
}

async function poll<T>(what: string, tools: Tools, check: () => Promise<Check<T>>, checkFirst: boolean): Promise<T> {
  const { clock, report } = tools
  const started = clock.now()
  const lastCheckAt = tools.deadline - LAST_CHECK_MARGIN_MS
  let delay = checkFirst ? 0 : nextPollDelay(0, tools.pollIntervalMs)
  for (;;) {
    await clock.sleep(Math.min(delay, lastCheckAt - clock.now()))
    const result = await check()
    const waited = clock.now() - started
    report.say(plain(`${what}: ${result.status} (${formatDuration(waited)} waited)`))
    if (result.done) return result.value
    delay = nextPollDelay(waited, tools.pollIntervalMs)
    const left = lastCheckAt - clock.now()
    // One last check just before the deadline, unless the one just made was already that close.
    if (left <= 0 || (delay > left && left < tools.pollIntervalMs)) {
      throw new WaitTimeoutError(`timed out waiting for ${what}, still "${result.status}" after ${formatDuration(waited)} of waiting: the step's timeout of ${formatDuration(tools.timeoutMs)} (input "timeout") ran out`)
    }
  }
}
