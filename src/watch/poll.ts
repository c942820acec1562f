import { WaitTimeoutError } from '../errors.ts'
import { formatDuration, plain } from '../format.ts'
import type { Tools } from '../tools.ts'

/** Time kept back before the deadline for the last status check to be answered. */
const LAST_CHECK_MARGIN_MS = 500

export interface Check<T> {
  value: T
  status: string
  done: boolean
}

export interface Watch<T> {
  /** Log and summary wording: `snapshot 801`. */
  what: string
  /** The log group's title; `Waiting for <what>` by default. */
  title?: string
  /** A job that may have finished already is checked at once. */
  atOnce?: boolean
  /** Told the moment of each check before the wait sleeps, so that checks due together are read together. */
  expect?: (at: number) => void
  check: (at: number) => Promise<Check<T>>
}

/**
 * Status checks at the step's ticks (`ticks.ts`, on the schedule of `plan/schedule.ts`) until one
 * says done, folded into one log group so that a long wait stays one line until opened. The last
 * check comes just before the step's deadline; after it, the wait fails, saying how long it
 * waited and the last status.
 */
export async function pollUntil<T>(tools: Tools, watch: Watch<T>): Promise<T> {
  return tools.report.group(watch.title ?? `Waiting for ${watch.what}`, () => poll(tools, watch))
}

async function poll<T>(tools: Tools, watch: Watch<T>): Promise<T> {
  const { clock, report } = tools
  const started = clock.now()
  const lastCheckAt = tools.deadline - LAST_CHECK_MARGIN_MS
  let at = Math.min(tools.ticks.first({ atOnce: watch.atOnce ?? false }), lastCheckAt)
  for (;;) {
    watch.expect?.(at)
    await clock.sleep(at - clock.now())
    const result = await watch.check(at)
    const waited = clock.now() - started
    report.say(plain(`${watch.what}: ${result.status} (${formatDuration(waited)} waited)`))
    if (result.done) return result.value
    const next = tools.ticks.after(at)
    const left = lastCheckAt - clock.now()
    // One last check just before the deadline, unless the one just made was already that close.
    if (left <= 0 || (next > lastCheckAt && left < tools.pollIntervalMs)) {
      throw new WaitTimeoutError(
        `timed out waiting for ${watch.what}, still "${result.status}" after ${formatDuration(waited)} of waiting: the step's timeout of ${formatDuration(tools.timeoutMs)} (input "timeout") ran out`
      )
    }
    at = Math.min(next, lastCheckAt)
  }
}
