import { DEADLINE_REACHED, NO_TIME_LEFT } from '../api/answers.ts'
import { NetworkError } from '../api/errors.ts'
import type { Clock } from '../clock.ts'
import { WaitTimeoutError } from '../errors.ts'
import { formatDuration, plain } from '../format.ts'
import { nextPollDelay } from '../plan/schedule.ts'
import type { Answer, Check, Waits, Watch } from '../tools.ts'
import { ownList, type SharedLists } from './lists.ts'
import type { Progress } from './progress.ts'

/** Time kept back before the deadline for the last status check to be answered. */
const LAST_CHECK_MARGIN_MS = 500

interface Waiting {
  watch: Watch<unknown>
  startedAt: number
  nextAt: number
  checks: number
  status: string | undefined
  resolve(value: unknown): void
  reject(error: unknown): void
}

/**
 * The one place that waits: it owns the moments of the status checks (the schedule of
 * `plan/schedule.ts`, counted from the step's first wait, so that every server checks at the same
 * ticks), the sleeping between them, and the reads, shared by every server due at a tick
 * (`lists.ts`). Each server's answer is judged on its own: a read or a check that fails, fails
 * that server's wait alone, and a server that stops waiting, for any reason, holds no other.
 * While anything waits, the progress line is printed on time (`progress.ts`). The last check of a
 * wait is made at its deadline (less the time a request needs to be answered).
 */
export class Poller implements Waits {
  readonly #clock: Clock
  readonly #pollIntervalMs: number
  readonly #timeoutMs: number
  readonly #deadline: number
  readonly #lists: SharedLists
  readonly #progress: Progress
  readonly #waiting = new Set<Waiting>()
  readonly #ticks: number[] = []
  #running = false
  #wake: AbortController | undefined
  #sleepingUntil = Infinity

  constructor(options: {
    clock: Clock
    pollIntervalMs: number
    timeoutMs: number
    deadline: number
    lists: SharedLists
    progress: Progress
  }) {
    this.#clock = options.clock
    this.#pollIntervalMs = options.pollIntervalMs
    this.#timeoutMs = options.timeoutMs
    this.#deadline = options.deadline
    this.#lists = options.lists
    this.#progress = options.progress
  }

  /** Waits until the watch's check says done; rejects when it throws, or when the deadline comes first. */
  watch<T>(watch: Watch<T>): Promise<T> {
    const now = this.#clock.now()
    if (this.#deadline - now <= 0)
      return Promise.reject(this.#timeout(watch, { startedAt: now, checks: 0, status: undefined }))
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        watch,
        startedAt: now,
        // A check at once is made at once; a first check on the schedule yields to the last one as later ones do.
        nextAt: watch.atOnce
          ? Math.min(this.#first(true), this.#lastCheckAt())
          : this.#before(this.#lastCheckAt(), this.#first(false)),
        checks: 0,
        status: undefined,
        resolve: value => resolve(value as T),
        reject
      }
      this.#waiting.add(waiting)
      this.#progress.set(watch.serverId, { at: 'waiting', what: shownAs(watch), status: undefined })
      if (waiting.nextAt < this.#sleepingUntil) this.#wake?.abort()
      if (!this.#running) void this.#run()
    })
  }

  async #run(): Promise<void> {
    this.#running = true
    try {
      // Waits that begin together (a fleet's servers) are checked together.
      await this.#clock.sleep(0)
      while (this.#waiting.size > 0) {
        const due = [...this.#waiting].filter(waiting => waiting.nextAt <= this.#clock.now())
        if (due.length > 0) await this.#checkAll(due)
        this.#progress.tick({ checked: due.length > 0 })
        if (due.length === 0)
          await this.#sleepUntil(Math.min(...[...this.#waiting].map(waiting => waiting.nextAt), this.#progress.due()))
      }
    } catch (error) {
      // A bug here must not leave a server waiting forever.
      for (const waiting of this.#waiting) waiting.reject(error)
      this.#waiting.clear()
    } finally {
      this.#running = false
    }
  }

  async #sleepUntil(time: number): Promise<void> {
    this.#wake = new AbortController()
    this.#sleepingUntil = time
    await this.#clock.sleep(time - this.#clock.now(), this.#wake.signal)
    this.#sleepingUntil = Infinity
  }

  /**
   * One tick: the reads every due server needs, shared where that is cheaper, then each server's answer judged alone.
   */
  async #checkAll(due: Waiting[]): Promise<void> {
    const answers = new Map<Waiting, Promise<Answer>>()
    for (const kind of ['snapshot', 'backup'] as const) {
      const ofKind = due.filter(waiting => waiting.watch.reads === kind)
      if (ofKind.length === 0) continue
      const shared = await this.#lists.whole(
        kind,
        ofKind.map(waiting => waiting.watch.serverId)
      )
      for (const waiting of ofKind) {
        const { serverId, client } = waiting.watch
        const items = shared?.get(serverId)
        answers.set(
          waiting,
          items
            ? Promise.resolve({ of: 'items', items })
            : ownList(kind, serverId, client).then(items => ({ of: 'items', items }))
        )
      }
    }
    for (const waiting of due.filter(waiting => waiting.watch.reads === 'server')) {
      const { serverId, client } = waiting.watch
      answers.set(
        waiting,
        client.getServer(serverId).then(server => ({ of: 'server', server }))
      )
    }
    await Promise.all([...answers].map(([waiting, answer]) => this.#judge(waiting, answer)))
  }

  async #judge(waiting: Waiting, answer: Promise<Answer>): Promise<void> {
    const { watch } = waiting
    const at = waiting.nextAt
    let check: Check<unknown>
    try {
      check = watch.check(await answer)
    } catch (error) {
      return this.#end(waiting, ranOutOfTime(error) ? this.#timeout(watch, waiting) : error)
    }
    waiting.checks++
    waiting.status = check.status
    watch.report.say(
      plain(`${watch.what}: ${check.status} (${formatDuration(this.#clock.now() - waiting.startedAt)} waited)`)
    )
    this.#progress.set(watch.serverId, { at: 'waiting', what: shownAs(watch), status: check.status })
    if (check.done) {
      this.#waiting.delete(waiting)
      return waiting.resolve(check.value)
    }
    if (at >= this.#lastCheckAt()) return this.#end(waiting, this.#timeout(watch, waiting))
    waiting.nextAt = this.#before(this.#lastCheckAt(), this.#after(at))
  }

  /**
   * The check at `tick`, or the last one, at the deadline, when `tick` would come within a
   * `poll_interval` of it: the last check is made at the deadline, and no two checks of a wait
   * are closer than a `poll_interval` (but for one that was at once).
   */
  #before(lastCheckAt: number, tick: number): number {
    return tick > lastCheckAt - this.#pollIntervalMs ? lastCheckAt : tick
  }

  #end(waiting: Waiting, error: unknown): void {
    this.#waiting.delete(waiting)
    waiting.reject(error)
  }

  #timeout(watch: Watch<unknown>, waiting: Pick<Waiting, 'startedAt' | 'checks' | 'status'>): WaitTimeoutError {
    const waited = formatDuration(this.#clock.now() - waiting.startedAt)
    const still = waiting.status === undefined ? '' : `, still "${waiting.status}"`
    const checks = `${waiting.checks} status check${waiting.checks === 1 ? '' : 's'}`
    return new WaitTimeoutError(
      `timed out waiting for ${watch.what}${still} after ${waited} of waiting and ${checks}: the step's timeout of ${formatDuration(this.#timeoutMs)} (input "timeout") ran out`
    )
  }

  #lastCheckAt(): number {
    return this.#deadline - LAST_CHECK_MARGIN_MS
  }

  /**
   * The first check of a wait that starts now: a tick at least half a `poll_interval` away (so
   * that waits started a moment apart meet at the same tick), or `poll_interval` from now for the
   * step's first wait. "At once" is now, or the tick of waits that checked at once a moment ago.
   */
  #first(atOnce: boolean): number {
    const now = this.#clock.now()
    if (this.#ticks.length === 0) this.#ticks.push(now)
    const origin = this.#ticks[0] ?? now
    if (atOnce) return now - origin < this.#pollIntervalMs / 2 ? origin : now
    return this.#tickAtOrAfter(now + this.#pollIntervalMs / 2)
  }

  /** The next check after one made at `tick`. */
  #after(tick: number): number {
    return this.#tickAtOrAfter(Math.max(tick, this.#clock.now()) + 1)
  }

  #tickAtOrAfter(time: number): number {
    const origin = this.#ticks[0] ?? time
    let last = this.#ticks.at(-1) ?? origin
    while (last < time) {
      last += nextPollDelay(last - origin, this.#pollIntervalMs)
      this.#ticks.push(last)
    }
    return this.#ticks.find(tick => tick >= time) ?? last
  }
}

/** What the progress line says is waited for; nothing but its status when it is the server itself. */
function shownAs(watch: Watch<unknown>): string {
  return watch.reads === 'server' ? '' : watch.what
}

/** A read refused or cut off by the step's own deadline: the wait timed out, no request is to blame. */
function ranOutOfTime(error: unknown): boolean {
  return error instanceof NetworkError && (error.code === NO_TIME_LEFT || error.code === DEADLINE_REACHED)
}
