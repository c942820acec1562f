import type { Dispatcher, RetryHandler } from 'undici'
import { Agent, RetryAgent } from './undici.ts'

/**
 * The retry policy, run by undici's own RetryAgent (it re-dispatches the request and honours
 * abort signals); this module only decides whether and when.
 *
 * What it does not cover, and where that lives instead:
 * - A POST whose outcome is unknown (connection dropped after sending, timeout, 500/502/504)
 *   is never retried here: re-sending could make a second snapshot or restore. The operations
 *   look first for what it may have done (`operations/create.ts`, `operations/restore.ts`).
 * - An answer that arrives but cannot be read (truncated JSON, an HTML page with 200) is not
 *   retried: it is reported, naming the endpoint and status.
 */

/** At most this many attempts of one request, the first included. */
export const MAX_ATTEMPTS = 5
/** First backoff ceiling; each retry doubles it (exponential backoff with full jitter). */
export const BASE_DELAY_MS = 500
/** Highest backoff ceiling, so a flapping API costs seconds, not minutes. */
export const MAX_BACKOFF_MS = 8_000
/** A Retry-After longer than this is not waited for: the step fails and says so. */
export const MAX_RETRY_AFTER_MS = 60_000
/** Longest wait for a TCP and TLS connection to the API. */
export const CONNECT_TIMEOUT_MS = 10_000

/** Statuses worth another try of a GET or DELETE: the API or a proxy in front of it was busy. */
export const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504]
/** Statuses that say a POST was refused before anything was done: safe to send again. */
export const REFUSED_STATUSES = [429, 503]
/** Transport errors after which a GET or DELETE is tried again. */
export const CONNECTION_ERRORS = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
]
/** Transport errors that happen before the request reaches the API: even a POST may be re-sent. */
export const NOT_SENT_ERRORS = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']

export interface Failure {
  method: string
  /** The HTTP status, when an answer came. */
  status?: number | undefined
  /** The transport error code, when none did. */
  code?: string | undefined
  /** The Retry-After header, in seconds or as an HTTP date. */
  retryAfter?: string | undefined
  /** 1 for the first retry. */
  retry: number
  /** Milliseconds left before the operation's deadline. */
  remainingMs: number
}

/** Milliseconds to wait before the next attempt, or undefined when the failure is final. */
export function retryDelay(failure: Failure, random: () => number = Math.random, now = Date.now()): number | undefined {
  if (failure.retry >= MAX_ATTEMPTS || !isRetryable(failure)) return undefined
  const backoff = random() * Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** (failure.retry - 1))
  const asked = retryAfterMs(failure.retryAfter, now)
  if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return undefined
  const delay = Math.max(backoff, asked ?? 0)
  return delay < failure.remainingMs ? delay : undefined
}

export function isRetryable({ method, status, code }: Pick<Failure, 'method' | 'status' | 'code'>): boolean {
  if (method === 'POST') return status !== undefined ? REFUSED_STATUSES.includes(status) : NOT_SENT_ERRORS.includes(code ?? '')
  if (method !== 'GET' && method !== 'DELETE') return false
  return status !== undefined ? RETRYABLE_STATUSES.includes(status) : CONNECTION_ERRORS.includes(code ?? '')
}

/** `Retry-After: 5` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`, in milliseconds from now. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The production dispatcher: keep-alive connections with a connect timeout, behind the retry policy. */
export function retryingDispatcher(deadline: number, base: Dispatcher = new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS } }), log?: (line: string) => void): Dispatcher {
  return new RetryAgent(base, {
    // The handler asks `retry` about any status listed here and any error; the policy decides.
    statusCodes: RETRYABLE_STATUSES,
    // When the policy stops, the last answer itself (status, the API's message) reaches the
    // caller, rather than a bare "request failed".
    throwOnError: false,
    methods: ['GET', 'DELETE', 'POST'],
    errorCodes: CONNECTION_ERRORS,
    retry: (error, { state, opts }, callback) => {
      const { statusCode, code, headers } = error as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[]> }
      const header = headers?.['retry-after']
      const delay = retryDelay({
        method: opts.method,
        status: code === 'UND_ERR_REQ_RETRY' ? statusCode : undefined,
        code: code === 'UND_ERR_REQ_RETRY' ? undefined : code,
        retryAfter: Array.isArray(header) ? header[0] : header,
        retry: state.counter,
        remainingMs: deadline - Date.now()
      })
      if (delay === undefined) return callback(error)
      const reason = code === 'UND_ERR_REQ_RETRY' ? `HTTP ${statusCode}` : code
      log?.(`${opts.method} ${opts.path}: ${reason}; trying again in ${(delay / 1000).toFixed(1)} s (attempt ${state.counter + 1} of ${MAX_ATTEMPTS})`)
      return setTimeout(() => callback(null), delay)
    }
  } satisfies RetryHandler.RetryOptions)
}
