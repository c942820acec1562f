// When the wait checks a job's status next: a pure function of the time spent so far.
import { describe, expect, it } from 'vitest'
import { nextPollDelay } from '../../src/plan/schedule.ts'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const STEADY = 10 * SECOND

describe('nextPollDelay', () => {
  it.each([
    // elapsed, poll_interval, delay: early checks follow poll_interval
    { elapsed: 0, poll: 2 * SECOND, delay: 2 * SECOND },
    { elapsed: 2 * SECOND, poll: 2 * SECOND, delay: 2 * SECOND },
    { elapsed: 10 * SECOND, poll: 2 * SECOND, delay: 2 * SECOND },
    { elapsed: 20 * SECOND, poll: 2 * SECOND, delay: 2 * SECOND },
    { elapsed: 0, poll: 100, delay: 100 },
    { elapsed: 500, poll: 100, delay: 100 },
    // then a tenth of the time spent
    { elapsed: 30 * SECOND, poll: 2 * SECOND, delay: 3 * SECOND },
    { elapsed: 45 * SECOND, poll: 2 * SECOND, delay: 4.5 * SECOND },
    { elapsed: 50 * SECOND, poll: 2 * SECOND, delay: 5 * SECOND },
    { elapsed: 10 * SECOND, poll: 100, delay: 1 * SECOND },
    // a steady 10 s after the first minute
    { elapsed: 1 * MINUTE, poll: 2 * SECOND, delay: STEADY },
    { elapsed: 61 * SECOND, poll: 100, delay: STEADY },
    { elapsed: 5 * MINUTE, poll: 2 * SECOND, delay: STEADY },
    { elapsed: 2 * 60 * MINUTE, poll: 2 * SECOND, delay: STEADY },
    // a poll_interval above 10 s is the user's choice of a slower pace, kept throughout
    { elapsed: 0, poll: 15 * SECOND, delay: 15 * SECOND },
    { elapsed: 30 * SECOND, poll: 15 * SECOND, delay: 15 * SECOND },
    { elapsed: 10 * MINUTE, poll: 15 * SECOND, delay: 15 * SECOND },
    { elapsed: 10 * MINUTE, poll: 60 * SECOND, delay: 60 * SECOND }
  ])('after $elapsed ms with poll_interval $poll ms, waits $delay ms', ({ elapsed, poll, delay }) => {
    expect(nextPollDelay(elapsed, poll)).toBeCloseTo(delay, 6)
  })

  it.each([100, 2 * SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND])(
    'with poll_interval %i ms, never waits less than poll_interval and never shortens the gap',
    poll => {
      let previous = 0
      for (let elapsed = 0; elapsed <= 20 * MINUTE; elapsed += 1_000) {
        const delay = nextPollDelay(elapsed, poll)
        expect(delay).toBeGreaterThanOrEqual(poll)
        expect(delay).toBeLessThanOrEqual(Math.max(poll, STEADY))
        expect(delay).toBeGreaterThanOrEqual(previous)
        previous = delay
      }
    }
  )
})

/** The times (ms from the start of the wait) at which a wait checks a job that takes `jobMs`. */
function checkTimes(jobMs: number, pollMs: number): number[] {
  const checks: number[] = []
  // As the wait does it: sleep first, then check, then ask for the next delay.
  let at = nextPollDelay(0, pollMs)
  for (;;) {
    checks.push(at)
    if (at >= jobMs) return checks
    at += nextPollDelay(at, pollMs)
  }
}

describe('polling a job with poll_interval 2 s', () => {
  const POLL = 2 * SECOND

  it.each([
    { label: '3 s', jobMs: 3 * SECOND },
    { label: '30 s', jobMs: 30 * SECOND },
    { label: '1 min', jobMs: 1 * MINUTE },
    { label: '3 min', jobMs: 3 * MINUTE },
    { label: '10 min', jobMs: 10 * MINUTE },
    { label: '15 min', jobMs: 15 * MINUTE },
    { label: '30 min', jobMs: 30 * MINUTE }
  ])('notices a job of $label soon after it ends, without hammering the API', ({ jobMs }) => {
    const checks = checkTimes(jobMs, POLL)
    const lag = checks.at(-1)! - jobMs

    expect(lag).toBeGreaterThanOrEqual(0)
    expect(lag).toBeLessThanOrEqual(Math.max(POLL, 0.1 * jobMs))
    expect(lag).toBeLessThanOrEqual(STEADY)
    // At most six checks in any minute that starts after the first minute.
    for (const start of checks.filter(at => at >= MINUTE)) {
      expect(checks.filter(at => at >= start && at < start + MINUTE).length).toBeLessThanOrEqual(6)
    }
    for (let start = MINUTE; start < jobMs; start += MINUTE) {
      expect(checks.filter(at => at >= start && at < start + MINUTE).length).toBeLessThanOrEqual(6)
    }
  })

  it('checks a 3 s job at 2 s and 4 s: the first checks follow poll_interval', () => {
    expect(checkTimes(3 * SECOND, POLL)).toEqual([2 * SECOND, 4 * SECOND])
  })

  it('makes about six checks a minute on a long job, not thirty', () => {
    const checks = checkTimes(30 * MINUTE, POLL)
    // One check every 10 s after the first minute, where a fixed 2 s pace would make 870.
    expect(checks.filter(at => at >= MINUTE).length).toBeLessThanOrEqual(6 * 29 + 1)
    expect(checks.length).toBeLessThan(250)
  })
})
