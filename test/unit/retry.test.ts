// The retry policy: how long to wait before the next attempt, how many attempts, and the one
// pause a rate limit puts on every request of the step. Whether to retry at all is the answers
// table's (answers.test.ts); the policy on the wire is in client.test.ts.
import { describe, expect, it } from 'vitest'
import { RequestPause, retryDelay } from '../../src/api/retry.ts'
import { VirtualClock } from '../support/clock.ts'

/** A wide margin before the deadline, so only the rule under test decides. */
const PLENTY_MS = 10 * 60_000

type Failure = Parameters<typeof retryDelay>[0]

function failure(overrides: Partial<Failure>): Failure {
  return { method: 'GET', answer: { status: 503 }, retry: 1, remainingMs: PLENTY_MS, ...overrides }
}

describe('retryDelay', () => {
  // As docs/behaviour.md promises: the wait before each retry grows 0.5 s, 1 s, 2 s, 4 s (its cap of 8 s is not reached
  // within 5 attempts), each one a random part of that.
  const ceilings = [
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [4, 4_000]
  ] as const

  it.each(ceilings)('retry %i: full jitter, from 0 up to %i ms', (retry, ceiling) => {
    expect(retryDelay(failure({ retry }), () => 0)).toBe(0)
    expect(retryDelay(failure({ retry }), () => 0.5)).toBe(ceiling / 2)
    expect(retryDelay(failure({ retry }), () => 1)).toBe(ceiling)
  })

  it('stops after 5 attempts, the first included', () => {
    expect(retryDelay(failure({ retry: 4 }), () => 0)).toBe(0)
    expect(retryDelay(failure({ retry: 5 }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ retry: 8 }), () => 0)).toBeUndefined()
  })

  it('a failure that is not retryable gets no delay at all', () => {
    expect(retryDelay(failure({ answer: { status: 401 } }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', answer: { status: 500 } }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', answer: { code: 'ECONNRESET' } }), () => 0)).toBeUndefined()
  })

  // Retry-After is obeyed up to 60 s (docs/behaviour.md), in seconds or as an HTTP date.
  const NOW = Date.parse('2026-10-21T07:28:00Z')
  it.each<[string, string | undefined, number]>([
    ['seconds', '7', 7_000],
    ['seconds with spaces around', ' 3 ', 3_000],
    ['zero seconds (the jitter decides)', '0', 400],
    ['an HTTP date (IMF-fixdate) 20 s ahead', 'Wed, 21 Oct 2026 07:28:20 GMT', 20_000],
    ['an RFC 850 date 60 s ahead', 'Wednesday, 21-Oct-26 07:29:00 GMT', 60_000],
    ['an HTTP date already past (the jitter decides)', 'Wed, 21 Oct 2026 07:27:00 GMT', 400],
    ['a date a day past (the jitter decides)', 'Tue, 20 Oct 2026 07:28:00 GMT', 400],
    ['exactly the cap', '60', 60_000],
    ['no header (the jitter decides)', undefined, 400],
    ['an empty header (ignored)', '', 400],
    ['a header that is not a delay (ignored)', 'soon', 400],
    ['words (ignored)', 'in a moment', 400],
    ['a number with a unit (ignored)', '120abc', 400]
  ])('Retry-After as %s, %j: waits %i ms', (_case, retryAfter, expected) => {
    // With random 0.8 the first jitter is 400 ms: a Retry-After shorter than that does not shorten it.
    expect(retryDelay(failure({ answer: { status: 429 }, retryAfter }), () => 0.8, NOW)).toBe(expected)
  })

  it.each<[string, string]>([
    ['seconds over the cap', '61'],
    ['two minutes', '120'],
    ['an hour', '3600'],
    ['an HTTP date two minutes ahead', 'Wed, 21 Oct 2026 07:30:00 GMT']
  ])('Retry-After as %s: not waited for, the failure is final', (_case, retryAfter) => {
    expect(retryDelay(failure({ answer: { status: 503 }, retryAfter }), () => 0, NOW)).toBeUndefined()
  })

  it.each<[string, Partial<Failure>, () => number]>([
    ['a backoff longer than the time left', { retry: 4, remainingMs: 1_000 }, () => 1],
    [
      'a Retry-After longer than the time left',
      { answer: { status: 429 }, retryAfter: '5', remainingMs: 4_999 },
      () => 0
    ],
    ['no time left at all', { remainingMs: 0 }, () => 0],
    ['a deadline already past', { remainingMs: -5 }, () => 0]
  ])('never waits past the deadline: %s gives up', (_case, overrides, random) => {
    expect(retryDelay(failure({ answer: { status: 503 }, ...overrides }), random)).toBeUndefined()
  })

  it('a delay that fits before the deadline is kept', () => {
    expect(retryDelay(failure({ answer: { status: 429 }, retryAfter: '5', remainingMs: 5_001 }), () => 0)).toBe(5_000)
    expect(retryDelay(failure({ retry: 4, remainingMs: 4_001 }), () => 1)).toBe(4_000)
  })
})

describe('RequestPause', () => {
  it('lets requests start at once until a pause is asked for', async () => {
    const clock = new VirtualClock(0)
    await new RequestPause(clock).ready()
    expect(clock.now()).toBe(0)
  })

  it('holds every request until the longest pause asked for has passed', async () => {
    const clock = new VirtualClock(0)
    const pause = new RequestPause(clock)
    pause.pauseFor(5_000)
    pause.pauseFor(2_000)
    await Promise.all([pause.ready(), pause.ready()])
    expect(clock.now()).toBe(5_000)
    await pause.ready()
    expect(clock.now()).toBe(5_000)
  })
})
