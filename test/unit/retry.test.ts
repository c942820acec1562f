// The retry policy: which failures are tried again, how long to wait before the next attempt,
// and the same decisions made live by the dispatcher around undici's MockAgent.
import { MockAgent, type Dispatcher, type MockPool } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  BASE_DELAY_MS, CONNECTION_ERRORS, MAX_ATTEMPTS, MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS, NOT_SENT_ERRORS,
  isRetryable, retryAfterMs, retryDelay, retryingDispatcher, type Failure
} from '../../src/api/retry.ts'

const RETRIED_STATUSES = [408, 429, 500, 502, 503, 504]
const FINAL_STATUSES = [400, 401, 403, 404, 405, 409, 410, 422, 501]
/** Refused before anything was done: a POST may be sent again. */
const POST_REFUSED_STATUSES = [429, 503]
/** The POST may have been carried out: never re-sent by the transport (the operations look first). */
const POST_UNKNOWN_STATUSES = [408, 500, 502, 504]
/** Errors after which a POST had reached the API, or may have. */
const POST_SENT_ERRORS = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']

/** A wide margin before the deadline, so only the rule under test decides. */
const PLENTY_MS = 10 * 60_000

function failure(overrides: Partial<Failure>): Failure {
  return { method: 'GET', status: 503, retry: 1, remainingMs: PLENTY_MS, ...overrides }
}

describe('isRetryable', () => {
  it.each(['GET', 'DELETE'].flatMap(method => RETRIED_STATUSES.map(status => [method, status] as const)))(
    '%s answered %i: tried again', (method, status) => {
      expect(isRetryable({ method, status })).toBe(true)
    })

  it.each(['GET', 'DELETE', 'POST'].flatMap(method => FINAL_STATUSES.map(status => [method, status] as const)))(
    '%s answered %i: final', (method, status) => {
      expect(isRetryable({ method, status })).toBe(false)
    })

  it.each(POST_REFUSED_STATUSES)('POST answered %i (refused before acting): tried again', status => {
    expect(isRetryable({ method: 'POST', status })).toBe(true)
  })

  it.each(POST_UNKNOWN_STATUSES)('POST answered %i (may have acted): never re-sent blindly', status => {
    expect(isRetryable({ method: 'POST', status })).toBe(false)
  })

  it.each(['GET', 'DELETE'].flatMap(method => CONNECTION_ERRORS.map(code => [method, code] as const)))(
    '%s failed with %s: tried again', (method, code) => {
      expect(isRetryable({ method, code })).toBe(true)
    })

  it.each(NOT_SENT_ERRORS)('POST failed with %s (never reached the API): sent again', code => {
    expect(isRetryable({ method: 'POST', code })).toBe(true)
  })

  it.each(POST_SENT_ERRORS)('POST failed with %s (may have reached the API): not re-sent', code => {
    expect(isRetryable({ method: 'POST', code })).toBe(false)
  })

  it('every transport error a POST may be re-sent after is one a GET is retried after too', () => {
    expect(CONNECTION_ERRORS).toEqual(expect.arrayContaining(NOT_SENT_ERRORS))
  })

  it.each([
    ['an unknown transport error', { method: 'GET', code: 'ERR_SOMETHING_ELSE' }],
    ['neither status nor code', { method: 'GET' }],
    ['an aborted request (the deadline)', { method: 'GET', code: 'UND_ERR_ABORTED' }],
    ['a PUT answered 503', { method: 'PUT', status: 503 }],
    ['a PATCH that lost its connection', { method: 'PATCH', code: 'ECONNRESET' }],
    ['a success', { method: 'GET', status: 200 }]
  ])('%s: final', (_case, decision) => {
    expect(isRetryable(decision)).toBe(false)
  })
})

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
    expect(retryDelay(failure({ status: 401 }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', status: 500 }), () => 0)).toBeUndefined()
    expect(retryDelay(failure({ method: 'POST', status: undefined, code: 'ECONNRESET' }), () => 0)).toBeUndefined()
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
    expect(retryDelay(failure({ status: 429, retryAfter }), () => 0.8, NOW)).toBe(expected)
  })

  it.each<[string, string]>([
    ['seconds over the cap', String(MAX_RETRY_AFTER_MS / 1000 + 1)],
    ['an hour', '3600'],
    ['an HTTP date two minutes ahead', 'Wed, 21 Oct 2026 07:30:00 GMT']
  ])('Retry-After as %s: not waited for, the failure is final', (_case, retryAfter) => {
    expect(retryDelay(failure({ status: 503, retryAfter }), () => 0, NOW)).toBeUndefined()
  })

  it.each<[string, Partial<Failure>, () => number]>([
    ['a backoff longer than the time left', { retry: 4, remainingMs: 1_000 }, () => 1],
    ['a Retry-After longer than the time left', { status: 429, retryAfter: '5', remainingMs: 4_999 }, () => 0],
    ['no time left at all', { remainingMs: 0 }, () => 0],
    ['a deadline already past', { remainingMs: -5 }, () => 0]
  ])('never waits past the deadline: %s gives up', (_case, overrides, random) => {
    expect(retryDelay(failure({ status: 503, ...overrides }), random)).toBeUndefined()
  })

  it('a delay that fits before the deadline is kept', () => {
    expect(retryDelay(failure({ status: 429, retryAfter: '5', remainingMs: 5_001 }), () => 0)).toBe(5_000)
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

describe('retryingDispatcher around a MockAgent', () => {
  const ORIGIN = 'https://api.test'
  let agent: MockAgent
  let api: MockPool
  const logLines: string[] = []

  beforeEach(() => {
    agent = new MockAgent({ enableCallHistory: true })
    agent.disableNetConnect()
    api = agent.get(ORIGIN)
    logLines.length = 0
    // No jitter: the attempts follow each other at once unless a Retry-After asks for more.
    vi.spyOn(Math, 'random').mockReturnValue(0)
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    await agent.close()
  })

  function dispatcher(deadlineInMs = 5_000): Dispatcher {
    return retryingDispatcher(Date.now() + deadlineInMs, agent, line => logLines.push(line))
  }

  const attempts = (): number => [...(agent.getCallHistory() ?? [])].length

  async function send(method: 'GET' | 'POST' | 'DELETE', path = '/api/v1/snapshots/', deadlineInMs?: number): Promise<{ status: number; body: string }> {
    const response = await dispatcher(deadlineInMs).request({
      origin: ORIGIN,
      path,
      method,
      headers: { authorization: 'Bearer secret-token' },
      body: method === 'POST' ? '{"server_id":1}' : null
    })
    return { status: response.statusCode, body: await response.body.text() }
  }

  /** The transport error undici reports, with its code. */
  function transportError(code: string): Error {
    return Object.assign(new Error(`simulated ${code}`), { code })
  }

  it('GET answered 503 then 200: 200 after two attempts, with a log line naming the retry', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(503, { detail: 'busy' })
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    await expect(send('GET')).resolves.toEqual({ status: 200, body: '{"count":0,"results":[]}' })
    expect(attempts()).toBe(2)
    expect(logLines).toEqual([`GET /api/v1/snapshots/: HTTP 503; trying again in 0.0 s (attempt 2 of ${MAX_ATTEMPTS})`])
    expect(logLines.join('\n')).not.toContain('secret-token')
  })

  it.each(RETRIED_STATUSES)('GET answered %i once: retried, then succeeds', async status => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(status, { detail: 'try later' })
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    expect((await send('GET')).status).toBe(200)
    expect(attempts()).toBe(2)
  })

  it('DELETE answered 502 then 204: retried', async () => {
    api.intercept({ path: '/api/v1/snapshots/801/', method: 'DELETE' }).reply(502, '<html>Bad Gateway</html>')
    api.intercept({ path: '/api/v1/snapshots/801/', method: 'DELETE' }).reply(204, '')
    expect((await send('DELETE', '/api/v1/snapshots/801/')).status).toBe(204)
    expect(attempts()).toBe(2)
  })

  it.each([400, 401, 403, 404, 409, 422])('GET answered %i: tried once, the answer passed on', async status => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(status, { detail: 'no' }).persist()
    await expect(send('GET')).resolves.toEqual({ status, body: '{"detail":"no"}' })
    expect(attempts()).toBe(1)
    expect(logLines).toEqual([])
  })

  it('429 with retry-after 0: tried again at once', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '0' } })
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    const started = Date.now()
    expect((await send('GET')).status).toBe(200)
    expect(attempts()).toBe(2)
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('429 with retry-after 1: waits the second it asked for', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '1' } })
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    const started = Date.now()
    expect((await send('GET')).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect(logLines).toEqual([expect.stringContaining('HTTP 429; trying again in 1.0 s')])
  })

  it('429 asking for longer than the time left: not waited for, one attempt', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '30' } }).persist()
    const started = Date.now()
    await send('GET', undefined, 2_000).catch(() => undefined)
    expect(attempts()).toBe(1)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it(`503 every time: ${MAX_ATTEMPTS} attempts, then the failure`, async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(503, { detail: 'down' }).persist()
    await send('GET').catch(() => undefined)
    expect(attempts()).toBe(MAX_ATTEMPTS)
    expect(logLines).toHaveLength(MAX_ATTEMPTS - 1)
  })

  it(`503 every time: after ${MAX_ATTEMPTS} attempts, the last answer is passed on, status and body`, async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(503, { detail: 'down' }).persist()
    await expect(send('GET')).resolves.toEqual({ status: 503, body: '{"detail":"down"}' })
  })

  it('POST answered 500: NOT retried (it may have been carried out)', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).reply(500, { detail: 'boom' }).persist()
    await send('POST').catch(() => undefined)
    expect(attempts()).toBe(1)
    expect(logLines).toEqual([])
  })

  it('POST answered 500: the answer is passed on, status and body', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).reply(500, { detail: 'boom' }).persist()
    await expect(send('POST')).resolves.toEqual({ status: 500, body: '{"detail":"boom"}' })
  })

  it.each(POST_REFUSED_STATUSES)('POST answered %i (refused): sent again, then created', async status => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).reply(status, { detail: 'busy' }, { headers: { 'retry-after': '0' } })
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).reply(201, { id: 1 })
    expect((await send('POST')).status).toBe(201)
    expect(attempts()).toBe(2)
  })

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'ETIMEDOUT'])('GET that failed with %s: retried', async code => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).replyWithError(transportError(code))
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    expect((await send('GET')).status).toBe(200)
    expect(attempts()).toBe(2)
  })

  it('POST whose connection dropped (ECONNRESET): not re-sent, the error passed on', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).replyWithError(transportError('ECONNRESET')).persist()
    await expect(send('POST')).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(attempts()).toBe(1)
  })

  it('POST that never connected (ECONNREFUSED): sent again', async () => {
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).replyWithError(transportError('ECONNREFUSED'))
    api.intercept({ path: '/api/v1/snapshots/', method: 'POST' }).reply(201, { id: 1 })
    expect((await send('POST')).status).toBe(201)
    expect(attempts()).toBe(2)
  })

  it('a backoff that would pass the deadline is not started: one attempt', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1)
    api.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(503, { detail: 'down' }).persist()
    // The first backoff is BASE_DELAY_MS with random 1; the deadline is nearer than that.
    await send('GET', undefined, BASE_DELAY_MS / 2).catch(() => undefined)
    expect(attempts()).toBe(1)
  })
})
