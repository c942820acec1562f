// The retry policy: how long to wait before the next attempt, how many attempts, and the one
// pause a rate limit puts on every request of the step. Whether to retry at all is the answers
// table's (answers.test.ts); the policy on the wire is in client.test.ts.
import { describe, expect, it } from 'vitest'
import {
  BASE_DELAY_MS,
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  RequestPause,
  retryAfterMs,
  retryDelay,
  type Failure
} from '../../src/api/retry.ts'
import { VirtualClock } from '../support/clock.ts'

/** A wide margin before the deadline, so only the rule under test decides. */
const PLENTY_MS = 10 * 60_000

function failure(overrides: Partial<Failure>): Failure {
  return { method: 'GET', answer: { status: 503 }, retry: 1, remainingMs: PLENTY_MS, ...overrides }
}

describe('retryDelay', () => {
  const ceilings = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, index) => {
    const retry = index + 1
    return [retry, Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** index)] as const
  })

  it.each(ceilings)('retry %i: full jitter, from 0 up to %i ms', (retry, ceiling) => {
    expect(retryDelay(failure({ retry }), () => 0)).toBe(0)
    expect(retryDelay(failure({ retry }), () => 0.5)).toBe(ceiling / 2)
    expect(retryDelay(failure({ retry }), () => 1)).toBe(ceiling)
  })

  it('the ceiling doubles from BASE_DELAY_MS and never passes MAX_BACKOFF_MS', () => {
    const delays = ceilings.map(([retry]) => retryDelay(failure({ retry }), () => 1) ?? Number.NaN)
    expect(delays[0]).toBe(BASE_DELAY_MS)
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBe(Math.min(MAX_BACKOFF_MS, 2 * (delays[i - 1] ?? 0)))
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_BACKOFF_MS)
  })

  it(`stops after ${MAX_ATTEMPTS} attempts, the first included`, () => {
    expect(retryDelay(failure({ retry: MAX_ATTEMPTS - 1 }), () => 0)).toBe(0)
    expect(retryDelay(failure({ retry: MAX_ATTEMPTS }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ retry: MAX_ATTEMPTS + 3 }), () => 0)).toBeUndefined()
  })

  it('a failure that is not retryable gets no delay at all', () => {
    expect(retryDelay(failure({ answer: { status: 401 } }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', answer: { status: 500 } }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', answer: { code: 'ECONNRESET' } }), () => 0)).toBeUndefined()
  })

  const NOW = Date.parse('2026-10-21T07:28:00Z')
  it.each<[string, string, number]>([
    ['seconds', '7', 7_000],
    ['seconds with spaces around', ' 3 ', 3_000],
    ['zero seconds (the jitter decides)', '0', 400],
    ['an HTTP date 20 s ahead', 'Wed, 21 Oct 2026 07:28:20 GMT', 20_000],
    ['an HTTP date already past (the jitter decides)', 'Wed, 21 Oct 2026 07:27:00 GMT', 400],
    ['exactly the cap', String(MAX_RETRY_AFTER_MS / 1000), MAX_RETRY_AFTER_MS],
    ['a header that is not a delay (ignored)', 'soon', 400]
  ])('Retry-After as %s: waits %i ms', (_case, retryAfter, expected) => {
    // With random 0.8 the first jitter is 400 ms: a Retry-After shorter than that does not shorten it.
    expect(retryDelay(failure({ answer: { status: 429 }, retryAfter }), () => 0.8, NOW)).toBe(expected)
  })

  it.each<[string, string]>([
    ['seconds over the cap', String(MAX_RETRY_AFTER_MS / 1000 + 1)],
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

describe('retryAfterMs', () => {
  const NOW = Date.parse('2026-10-21T07:28:00Z')
  it.each<[string, string | undefined, number | undefined]>([
    ['no header', undefined, undefined],
    ['an empty header', '', undefined],
    ['seconds', '120', 120_000],
    ['zero', '0', 0],
    ['seconds with spaces', ' 5 ', 5_000],
    ['an IMF-fixdate', 'Wed, 21 Oct 2026 07:28:30 GMT', 30_000],
    ['an RFC 850 date', 'Wednesday, 21-Oct-26 07:29:00 GMT', 60_000],
    ['a date in the past', 'Tue, 20 Oct 2026 07:28:00 GMT', 0],
    ['words', 'in a moment', undefined],
    ['a number with a unit', '120abc', undefined]
  ])('%s → %s', (_case, header, expected) => {
    expect(retryAfterMs(header, NOW)).toBe(expected)
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
