import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Time as the action sees it: handed to everything that waits, so that a test can run a
 * 15-minute wait in milliseconds on a virtual clock shared with the emulator.
 */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: ms => sleep(Math.max(0, ms))
}
