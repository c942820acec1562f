import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Time as the action sees it: handed to everything that waits, so that a test can run a
 * 15-minute wait in milliseconds on a virtual clock shared with the emulator.
 */
export interface Clock {
  now(): number
  /** Waits `ms`, or less when `signal` aborts: then it resolves early, it never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    try {
      await sleep(Math.max(0, ms), undefined, { signal })
    } catch (error) {
      if (!signal?.aborted) throw error
    }
  }
}
