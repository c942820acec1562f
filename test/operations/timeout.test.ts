// A timeout that is the timeout: the last status check is made at the deadline (less the half
// second its answer needs), not a poll interval before it, and the error says how long the wait
// lasted and how many checks it made.
import { describe, expect } from 'vitest'
import { createSettings, failureOf, test } from '../support/in-process.ts'
import { createSnapshot } from '../support/one-server.ts'

describe('the last check is at the deadline', () => {
  test.for([
    { timeoutMs: 10_000, pollIntervalMs: 2_000, lastCheckAfterMs: 9_400 },
    { timeoutMs: 2_000, pollIntervalMs: 500, lastCheckAfterMs: 1_400 },
    { timeoutMs: 120_000, pollIntervalMs: 2_000, lastCheckAfterMs: 119_400 }
  ])(
    'timeout $timeoutMs ms, poll_interval $pollIntervalMs ms',
    async ({ timeoutMs, pollIntervalMs, lastCheckAfterMs }, { api }) => {
      const step = api.step({ timeoutMs, pollIntervalMs })
      const started = api.clock.now()
      const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
      const checks = api.emulator.requests
        .filter(request => request.method === 'GET')
        .map(request => request.at - started)
      expect(checks.at(-1)).toBeGreaterThanOrEqual(lastCheckAfterMs)
      expect(checks.at(-1)).toBeLessThanOrEqual(timeoutMs)
      // The list read before the create is not a status check.
      expect(error).toMatch(
        new RegExp(
          `^timed out waiting for snapshot \\d+, still "in_progress" after [\\d.]+ (s|min \\d+ s) of waiting and ${checks.length - 1} status checks: the step's timeout`
        )
      )
    }
  )
})
