/**
 * What an answer from the API means, and so what may be done next: the one table that the retry
 * policy, the create, the restore and the delete all read.
 *
 * - `retry`: try the same request again; it is safe (a read, or a delete, which is idempotent).
 * - `resend`: the API refused before acting (busy, or the request never reached it): a POST may
 *   be sent again.
 * - `look-first`: the API may have acted although no success came back: never send it again
 *   blindly; look for what it did (a create looks for the new item, a restore watches the server).
 * - `final`: a real answer; asking again would give the same.
 */
type Verdict = 'retry' | 'resend' | 'look-first' | 'final'

export type Method = 'GET' | 'POST' | 'DELETE'

/** An attempt's answer: an HTTP status, or the code of the transport failure that stood in for one. */
export type Answer = { status: number } | { code: string }

/** Busy: a rate limit or an overloaded API, which refused the request before doing anything. */
const REFUSED_STATUSES = [429, 503]
/** The API, or a proxy in front of it, failed or timed out while the request may have been carried out. */
const UNKNOWN_OUTCOME_STATUSES = [408, 500, 502, 504]

/** The step's `timeout` had run out before the request could be sent: it was not. */
export const NO_TIME_LEFT = 'NO_TIME_LEFT'
/** Transport errors that happen before the request reaches the API (no connection was made). */
const NOT_SENT_ERRORS = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  NO_TIME_LEFT
]
/** Transport errors after which the request may have reached the API. */
const SENT_ERRORS = [
  'ECONNRESET',
  'ENETDOWN',
  'EHOSTDOWN',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
]
/**
 * The step's own deadline cut the request off (input "timeout"): it may have reached the API.
 * Never retried (no time is left), but a POST cut off this way may have acted.
 */
export const DEADLINE_REACHED = 'DEADLINE_REACHED'

type Kind = 'refused' | 'unknown' | 'success' | 'other'

/** Rows: what the answer says about the API; columns: the method. */
const TABLE: Record<Kind, Record<Method, Verdict>> = {
  refused: { GET: 'retry', DELETE: 'retry', POST: 'resend' },
  unknown: { GET: 'retry', DELETE: 'retry', POST: 'look-first' },
  // A 2xx whose body could not be read: the request was carried out, its answer is lost.
  success: { GET: 'final', DELETE: 'final', POST: 'look-first' },
  other: { GET: 'final', DELETE: 'final', POST: 'final' }
}

function kindOf(answer: Answer): Kind {
  if ('code' in answer) {
    if (NOT_SENT_ERRORS.includes(answer.code)) return 'refused'
    return SENT_ERRORS.includes(answer.code) || answer.code === DEADLINE_REACHED ? 'unknown' : 'other'
  }
  if (REFUSED_STATUSES.includes(answer.status)) return 'refused'
  if (UNKNOWN_OUTCOME_STATUSES.includes(answer.status)) return 'unknown'
  return answer.status >= 200 && answer.status < 300 ? 'success' : 'other'
}

export function verdict(method: Method, answer: Answer): Verdict {
  return TABLE[kindOf(answer)][method]
}

/** Whether the API may have carried out a request that got this answer. */
export function mayHaveActed(answer: Answer): boolean {
  return verdict('POST', answer) === 'look-first'
}

/** The statuses after which some method is tried again: what the retry handler must ask about. */
export const STATUSES_WORTH_ASKING_ABOUT = [...REFUSED_STATUSES, ...UNKNOWN_OUTCOME_STATUSES]
/** The transport errors after which some method is tried again. */
export const ERRORS_WORTH_ASKING_ABOUT = [...NOT_SENT_ERRORS, ...SENT_ERRORS]
