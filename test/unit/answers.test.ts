// The one table of what an answer means: retry, resend, look first, or final. Every row is
// written out by hand from what the API and the network may do, method by method.
import { describe, expect, it } from 'vitest'
import { mayHaveActed, verdict, type Answer, type Method } from '../../src/api/answers.ts'

type Verdict = ReturnType<typeof verdict>

const rows: Array<[string, Answer, Record<Method, Verdict>]> = [
  ['200 whose body could not be read', { status: 200 }, { GET: 'final', DELETE: 'final', POST: 'look-first' }],
  ['201 whose body could not be read', { status: 201 }, { GET: 'final', DELETE: 'final', POST: 'look-first' }],
  ['400 bad request', { status: 400 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['401 wrong token', { status: 401 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['403 forbidden', { status: 403 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['404 not found', { status: 404 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  [
    '408 request timeout (may come after the API acted)',
    { status: 408 },
    { GET: 'retry', DELETE: 'retry', POST: 'look-first' }
  ],
  ['409 conflict', { status: 409 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['422 unprocessable', { status: 422 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['429 rate limited (refused before acting)', { status: 429 }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['500 server error', { status: 500 }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  ['501 not implemented', { status: 501 }, { GET: 'final', DELETE: 'final', POST: 'final' }],
  ['502 bad gateway', { status: 502 }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  ['503 unavailable (refused before acting)', { status: 503 }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['504 gateway timeout', { status: 504 }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  ['connection refused', { code: 'ECONNREFUSED' }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['host not found', { code: 'ENOTFOUND' }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['DNS lookup failed for now', { code: 'EAI_AGAIN' }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['connect timeout', { code: 'UND_ERR_CONNECT_TIMEOUT' }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['connection reset', { code: 'ECONNRESET' }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  ['socket closed mid-answer', { code: 'UND_ERR_SOCKET' }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  [
    'no answer headers in time',
    { code: 'UND_ERR_HEADERS_TIMEOUT' },
    { GET: 'retry', DELETE: 'retry', POST: 'look-first' }
  ],
  ['answer body stalled', { code: 'UND_ERR_BODY_TIMEOUT' }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  ['broken pipe', { code: 'EPIPE' }, { GET: 'retry', DELETE: 'retry', POST: 'look-first' }],
  [
    "cut off by the step's own deadline",
    { code: 'DEADLINE_REACHED' },
    { GET: 'retry', DELETE: 'retry', POST: 'look-first' }
  ],
  ['not sent: no time left', { code: 'NO_TIME_LEFT' }, { GET: 'retry', DELETE: 'retry', POST: 'resend' }],
  ['a TLS certificate error', { code: 'CERT_HAS_EXPIRED' }, { GET: 'final', DELETE: 'final', POST: 'final' }]
]

describe('verdict', () => {
  it.each(
    rows.flatMap(([name, answer, verdicts]) =>
      (['GET', 'DELETE', 'POST'] as const).map(method => [method, name, verdicts[method], answer] as const)
    )
  )('%s answered %s: %s', (method, _name, expected, answer) => {
    expect(verdict(method, answer)).toBe(expected)
  })
})

describe('mayHaveActed', () => {
  it.each([
    [{ status: 500 }, true],
    [{ status: 408 }, true],
    [{ code: 'ECONNRESET' }, true],
    [{ status: 201 }, true],
    [{ status: 503 }, false],
    [{ status: 429 }, false],
    [{ code: 'ECONNREFUSED' }, false],
    [{ status: 404 }, false]
  ] as Array<[Answer, boolean]>)('%o: %s', (answer, expected) => {
    expect(mayHaveActed(answer)).toBe(expected)
  })
})
