import type { Clock } from '../clock.ts'
import { verdict, type Answer, type Method } from './answers.ts'

/**
 * When to try a request again. Whether is the answers table's (`answers.ts`); this module adds
 * how many times, how long to wait, and the one pause that a rate limit puts on every request.
 */

/** At most this many attempts of one request, the first included. */
export const MAX_ATTEMPTS = 5
/** First backoff ceiling; each retry doubles it (exponential backoff with full jitter). */
const BASE_DELAY_MS = 500
/** Highest backoff ceiling, so a flapping API costs seconds, not minutes. */
const MAX_BACKOFF_MS = 8_000
/** A Retry-After longer than this is not waited for: the step fails and says so. */
const MAX_RETRY_AFTER_MS = 60_000
/** Longest wait for a TCP and TLS connection to the API. */
export const CONNECT_TIMEOUT_MS = 10_000

interface Failure {
  method: Method
  answer: Answer
  /** The Retry-After header, in seconds or as an HTTP date. */
  retryAfter?: string | undefined
  /** 1 for the first retry. */
  retry: number
  /** Milliseconds left before the operation's deadline. */
  remainingMs: number
}

/** Milliseconds to wait before the next attempt, or undefined when the failure is final. */
export function retryDelay(failure: Failure, random: () => number = Math.random, now = Date.now()): number | undefined {
  const next = verdict(failure.method, failure.answer)
  if (failure.retry >= MAX_ATTEMPTS || (next !== 'retry' && next !== 'resend')) return undefined
  const backoff = random() * Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (failure.retry - 1))
  const asked = retryAfterMs(failure.retryAfter, now)
  if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return undefined
  const delay = Math.max(backoff, asked ?? 0)
  return delay < failure.remainingMs ? delay : undefined
}

/** `Retry-After: 5` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`, in milliseconds from now. */
function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * The step's one budget with the API: when the API asks to slow down (Retry-After), every
 * request of the step waits, not only the one that was told, so servers worked on side by side
 * do not each spend their own attempts against the same rate limit.
 */
export class RequestPause {
  #until = 0
  readonly #clock: Clock

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** From now on, no request starts before `ms` have passed. */
  pauseFor(ms: number): void {
    this.#until = Math.max(this.#until, this.#clock.now() + ms)
  }

  /** Resolves once requests may start. */
  async ready(): Promise<void> {
    while (this.#clock.now() < this.#until) await this.#clock.sleep(this.#until - this.#clock.now())
  }
}
