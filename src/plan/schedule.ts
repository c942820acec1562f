/**
 * When to check a job's status next. Early checks follow `poll_interval` so a short job is
 * noticed within a couple of seconds; then the gap grows to a tenth of the time already spent,
 * so the lag after completion stays under 10 % of the job's duration; after the first minute it
 * is a steady 10 s: at most six checks a minute for jobs that take 3 to 15 minutes, and never
 * more than 10 s late. The one trade-off: a job ending between 60 and 100 s may be noticed up to
 * 10 s late (more than 10 % of it), the price of the six-a-minute cap from the second minute on.
 */
const GROWTH_RATIO = 0.1
export const STEADY_AFTER_MS = 60_000
const STEADY_DELAY_MS = 10_000

/** Milliseconds to wait before the next check, given the time spent waiting so far. */
export function nextPollDelay(elapsedMs: number, pollIntervalMs: number): number {
  const growing = elapsedMs < STEADY_AFTER_MS ? Math.min(STEADY_DELAY_MS, elapsedMs * GROWTH_RATIO) : STEADY_DELAY_MS
  // A poll_interval above the steady gap is the user's choice of a slower pace: keep it.
  return Math.max(pollIntervalMs, growing)
}
