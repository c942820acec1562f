import type { Clock } from '../clock.ts'
import { nextPollDelay } from '../plan/schedule.ts'

/**
 * The moments the step checks statuses, shared by everything it waits for: the schedule of
 * `plan/schedule.ts`, counted from the step's first wait. A fleet's servers then check at the
 * same moments, so that one list read can answer for all of them (`board.ts`); one server checks
 * exactly as it always has.
 */
export class PollTicks {
  readonly #clock: Clock
  readonly #pollIntervalMs: number
  readonly #ticks: number[] = []

  constructor(clock: Clock, pollIntervalMs: number) {
    this.#clock = clock
    this.#pollIntervalMs = pollIntervalMs
  }

  /**
   * The first check of a wait that starts now: a tick at least half a `poll_interval` away (so
   * that waits started a moment apart meet at the same tick), or `poll_interval` from now for the
   * step's first wait. `now` is "at once", for a wait on a job that may have finished already.
   */
  first(options: { atOnce: boolean }): number {
    const now = this.#clock.now()
    if (this.#ticks.length === 0) this.#ticks.push(now)
    if (options.atOnce) return this.#latestAtOrBefore(now)
    return this.#firstAtOrAfter(now + this.#pollIntervalMs / 2)
  }

  /** The next check after one made at `tick`. */
  after(tick: number): number {
    return this.#firstAtOrAfter(Math.max(tick, this.#clock.now()) + 1)
  }

  #firstAtOrAfter(time: number): number {
    const origin = this.#ticks[0] ?? time
    let last = this.#ticks.at(-1) ?? origin
    while (last < time) {
      last += nextPollDelay(last - origin, this.#pollIntervalMs)
      this.#ticks.push(last)
    }
    return this.#ticks.find(tick => tick >= time) ?? last
  }

  /** A wait that checks at once shares the tick of waits that checked at once a moment ago. */
  #latestAtOrBefore(time: number): number {
    const origin = this.#ticks[0] ?? time
    return time - origin < this.#pollIntervalMs / 2 ? origin : time
  }
}
