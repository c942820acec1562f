import type { Clock } from '../../src/clock.ts'

/**
 * Time that passes only when someone waits: shared by the action and an in-process emulator, a
 * 15-minute wait takes a few milliseconds, and its schedule is exact.
 */
export class VirtualClock implements Clock {
  #time: number
  /** Every wait asked for, in order: what a schedule test reads. */
  readonly sleeps: number[] = []

  constructor(start = Date.now()) {
    this.#time = start
  }

  now(): number {
    return this.#time
  }

  /**
   * Waits `ms` of virtual time: waits started together end together (time moves to the latest
   * of their ends), waits one after another add up; a wait woken by its signal takes none.
   */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const step = Math.max(0, ms)
    this.sleeps.push(step)
    const wakeAt = this.#time + step
    // Let whatever else is due (another server's work, a request's answer) go first.
    await new Promise(resolve => setImmediate(resolve))
    // Woken early: no time passed.
    if (signal?.aborted) return
    this.#time = Math.max(this.#time, wakeAt)
  }

  /** Moves time on without anyone waiting: a job that takes long while nothing polls. */
  advance(ms: number): void {
    this.#time += ms
  }
}
