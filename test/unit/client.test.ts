// The VPS.org client against undici's MockAgent: what it sends, and what it makes of each answer.
import { isDeepStrictEqual } from 'node:util'
import { MockAgent, type MockPool } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { VpsClient } from '../../src/api/client.ts'
import { ApiError, NetworkError } from '../../src/api/errors.ts'
import { MAX_ATTEMPTS, RequestPause } from '../../src/api/retry.ts'
import type { Backup, RestoreAnswer, Server, Snapshot } from '../../src/api/types.ts'
import { REAL_CLOCK, type Clock } from '../../src/clock.ts'
import { VirtualClock } from '../support/clock.ts'
import { backup, snapshot } from '../support/fixtures.ts'

const ORIGIN = 'https://api.test'
const BASE = `${ORIGIN}/api/v1`
const TOKEN = 'vps_live_4f3e2d1c0b'
const SERVER_ID = 12345
/** Every request carries these; a request without them matches no interceptor and fails. */
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
const JSON_REPLY = { headers: { 'content-type': 'application/json' } }
const HTML_REPLY = { headers: { 'content-type': 'text/html' } }

const SNAPSHOT: Snapshot = snapshot({ id: 801, name: 'pre-migration-snapshot', created_at: '2025-01-15T18:30:00Z' })
const BACKUP: Backup = backup({
  id: 501,
  backup_type: 'automatic',
  description: 'Automatic daily backup',
  expires_at: '2025-02-16T03:00:00Z'
})
const SERVER: Server = { id: SERVER_ID, name: 'web-server-01', status: 'running' }
const RESTORE: RestoreAnswer = {
  status: 'success',
  message: 'Server is being restored from snapshot. This may take 5-15 minutes.',
  server: { ...SERVER, status: 'restoring' }
}

let agent: MockAgent
let api: MockPool
let clock: VirtualClock
const logLines: string[] = []
const retryLines: string[] = []

beforeEach(() => {
  agent = new MockAgent({ enableCallHistory: true })
  agent.disableNetConnect()
  api = agent.get(ORIGIN)
  clock = new VirtualClock()
  logLines.length = 0
  retryLines.length = 0
})

afterEach(async () => {
  vi.restoreAllMocks()
  await agent.close()
})

/**
 * A client on a virtual clock (retries wait no real time), unless a test needs real time for a request's own timeout.
 */
function client(
  options: { baseUrl?: string; deadlineInMs?: number; clock?: Clock; pause?: RequestPause } = {}
): VpsClient {
  const time = options.clock ?? clock
  return new VpsClient({
    baseUrl: new URL(options.baseUrl ?? BASE),
    token: TOKEN,
    dispatcher: agent,
    deadline: time.now() + (options.deadlineInMs ?? 5 * 60_000),
    clock: time,
    pause: options.pause ?? new RequestPause(time),
    onRetry: line => retryLines.push(line),
    log: line => logLines.push(line)
  })
}

const calls = () => [...(agent.getCallHistory() ?? [])]
/** A body matcher: the request's JSON equals `expected` (no body at all for `undefined`). */
const jsonBody = (expected: unknown) => (body: string | null | undefined) =>
  expected === undefined ? !body : body != null && isDeepStrictEqual(JSON.parse(body), expected)

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }
  throw new Error('the call succeeded')
}

describe('every endpoint', () => {
  it.each<{
    endpoint: string
    call: (client: VpsClient) => Promise<unknown>
    method: 'GET' | 'POST' | 'DELETE'
    path: string
    body?: unknown
    status: number
    reply: unknown
    result: unknown
  }>([
    {
      endpoint: 'listSnapshots()',
      call: c => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      status: 200,
      reply: { count: 1, next: null, previous: null, results: [SNAPSHOT] },
      result: [SNAPSHOT]
    },
    {
      endpoint: 'listSnapshots(server)',
      call: c => c.listSnapshots(SERVER_ID),
      method: 'GET',
      path: `/api/v1/snapshots/?server_id=${SERVER_ID}`,
      status: 200,
      reply: { count: 1, results: [SNAPSHOT] },
      result: [SNAPSHOT]
    },
    {
      endpoint: 'createSnapshot',
      call: c => c.createSnapshot({ server_id: SERVER_ID, name: 'pre-deploy', description: 'Before deploy' }),
      method: 'POST',
      path: '/api/v1/snapshots/',
      body: { server_id: SERVER_ID, name: 'pre-deploy', description: 'Before deploy' },
      status: 201,
      reply: { ...SNAPSHOT, status: 'in_progress', size_mb: null, message: 'Snapshot creation started' },
      result: expect.objectContaining({ id: 801, status: 'in_progress', size_mb: null })
    },
    {
      endpoint: 'restoreSnapshot',
      call: c => c.restoreSnapshot(801),
      method: 'POST',
      path: '/api/v1/snapshots/801/restore/',
      body: undefined,
      status: 200,
      reply: { ...RESTORE, snapshot: { id: 801, name: 'pre-migration-snapshot', created_at: '2025-01-15T18:30:00Z' } },
      result: expect.objectContaining({ status: 'success', server: { ...SERVER, status: 'restoring' } })
    },
    {
      endpoint: 'deleteSnapshot',
      call: c => c.deleteSnapshot(801),
      method: 'DELETE',
      path: '/api/v1/snapshots/801/',
      body: undefined,
      status: 204,
      reply: '',
      result: undefined
    },
    {
      endpoint: 'listBackups()',
      call: c => c.listBackups(),
      method: 'GET',
      path: '/api/v1/backups/',
      status: 200,
      reply: { count: 1, results: [BACKUP] },
      result: [BACKUP]
    },
    {
      endpoint: 'listBackups(server, type)',
      call: c => c.listBackups({ serverId: SERVER_ID, backupType: 'manual' }),
      method: 'GET',
      path: `/api/v1/backups/?backup_type=manual&server_id=${SERVER_ID}`,
      status: 200,
      reply: { count: 0, results: [] },
      result: []
    },
    {
      endpoint: 'createBackup',
      call: c => c.createBackup({ server_id: SERVER_ID, description: 'gha-x Before deploy' }),
      method: 'POST',
      path: '/api/v1/backups/',
      body: { server_id: SERVER_ID, description: 'gha-x Before deploy' },
      status: 201,
      reply: {
        ...BACKUP,
        backup_type: 'manual',
        status: 'in_progress',
        size_mb: null,
        expires_at: null,
        message: 'Backup creation started'
      },
      result: expect.objectContaining({ id: 501, backup_type: 'manual', status: 'in_progress' })
    },
    {
      endpoint: 'deleteBackup',
      call: c => c.deleteBackup(501),
      method: 'DELETE',
      path: '/api/v1/backups/501/',
      body: undefined,
      status: 204,
      reply: '',
      result: undefined
    },
    {
      endpoint: 'restoreServer (from a backup)',
      call: c => c.restoreServer(SERVER_ID, 501),
      method: 'POST',
      path: `/api/v1/servers/${SERVER_ID}/restore/`,
      body: { backup_id: 501 },
      status: 200,
      reply: RESTORE,
      result: expect.objectContaining({ server: { ...SERVER, status: 'restoring' } })
    },
    {
      endpoint: 'getServer',
      call: c => c.getServer(SERVER_ID),
      method: 'GET',
      path: `/api/v1/servers/${SERVER_ID}/`,
      status: 200,
      reply: SERVER,
      result: SERVER
    }
  ])(
    '$endpoint sends $method $path with the token and JSON headers',
    async ({ call, method, path, body, status, reply, result }) => {
      const bodyMatcher = method === 'GET' ? {} : { body: jsonBody(body) }
      api.intercept({ method, path, headers: HEADERS, ...bodyMatcher }).reply(status, reply as object, JSON_REPLY)

      await expect(call(client())).resolves.toEqual(result)
      expect(calls()).toHaveLength(1)
      expect(agent.pendingInterceptors()).toEqual([])
    }
  )

  it.each([`${ORIGIN}/api/v1/`, `${ORIGIN}/api/v1//`])(
    'joins paths to a base URL with a trailing slash (%s)',
    async baseUrl => {
      api
        .intercept({ method: 'GET', path: `/api/v1/servers/${SERVER_ID}/`, headers: HEADERS })
        .reply(200, SERVER, JSON_REPLY)
      await expect(client({ baseUrl }).getServer(SERVER_ID)).resolves.toEqual(SERVER)
    }
  )

  it('logs one line per request with the endpoint and never the token', async () => {
    api.intercept({ method: 'GET', path: `/api/v1/servers/${SERVER_ID}/` }).reply(200, SERVER, JSON_REPLY)
    await client().getServer(SERVER_ID)
    expect(logLines.join('\n')).toContain(`GET /servers/${SERVER_ID}/`)
    expect(logLines.join('\n')).not.toContain(TOKEN)
  })
})

describe('lists over several pages', () => {
  const pages = [[backup({ id: 1 }), backup({ id: 2 })], [backup({ id: 3 })], [backup({ id: 4 }), backup({ id: 5 })]]

  it('follows next across three pages and keeps the filters on each', async () => {
    const query = `backup_type=manual&server_id=${SERVER_ID}`
    const url = (page: number) => `${BASE}/backups/?${query}${page > 1 ? `&page=${page}` : ''}`
    pages.forEach((results, index) => {
      const page = index + 1
      api
        .intercept({
          method: 'GET',
          path: `/api/v1/backups/?${query}${page > 1 ? `&page=${page}` : ''}`,
          headers: HEADERS
        })
        .reply(
          200,
          { count: 5, next: page < 3 ? url(page + 1) : null, previous: page > 1 ? url(page - 1) : null, results },
          JSON_REPLY
        )
    })

    const items = await client().listBackups({ serverId: SERVER_ID, backupType: 'manual' })

    expect(items.map(item => item.id)).toEqual([1, 2, 3, 4, 5])
    expect(calls()).toHaveLength(3)
    for (const call of calls()) {
      expect(call.searchParams).toMatchObject({ server_id: String(SERVER_ID), backup_type: 'manual' })
      expect(call.headers).toMatchObject(HEADERS)
    }
  })

  it.each([
    { case: 'another host', next: 'https://evil.test/api/v1/snapshots/?page=2', origin: 'https://evil.test' },
    {
      case: 'plain http on the same host',
      next: 'http://api.test/api/v1/snapshots/?page=2',
      origin: 'http://api.test'
    },
    {
      case: 'another port of the same host',
      next: 'https://api.test:8443/api/v1/snapshots/?page=2',
      origin: 'https://api.test:8443'
    }
  ])('refuses a next page on $case, and never sends the token there', async ({ next, origin }) => {
    api
      .intercept({ method: 'GET', path: '/api/v1/snapshots/' })
      .reply(200, { count: 2, next, results: [SNAPSHOT] }, JSON_REPLY)
    agent
      .get(origin)
      .intercept({ method: 'GET', path: () => true })
      .reply(200, { count: 2, next: null, results: [] }, JSON_REPLY)

    const error = await failureOf(client().listSnapshots())

    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toContain(origin)
    expect(calls().map(call => call.origin)).toEqual([ORIGIN])
    expect(agent.pendingInterceptors()).toHaveLength(1)
  })

  it('stops at a next page already read, naming it, instead of looping forever', async () => {
    api
      .intercept({ method: 'GET', path: '/api/v1/snapshots/' })
      .reply(200, { count: 3, next: `${BASE}/snapshots/?page=2`, results: [SNAPSHOT] }, JSON_REPLY)
    api
      .intercept({ method: 'GET', path: '/api/v1/snapshots/?page=2' })
      .reply(200, { count: 3, next: `${BASE}/snapshots/`, results: [SNAPSHOT] }, JSON_REPLY)
    const error = await failureOf(client().listSnapshots())
    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toBe(
      "HTTP 200 from GET /snapshots/?page=2: the list's next page is GET /snapshots/, a page already read: the list loops"
    )
    expect(calls()).toHaveLength(2)
  })

  it('follows a list of 1,200 pages to its end', async () => {
    const PAGES = 1_200
    api
      .intercept({ method: 'GET', path: path => path.startsWith('/api/v1/snapshots/') })
      .reply(options => {
        const page = Number(new URL(options.path, ORIGIN).searchParams.get('page') ?? 1)
        return {
          statusCode: 200,
          data: {
            count: PAGES,
            next: page < PAGES ? `${BASE}/snapshots/?page=${page + 1}` : null,
            results: [snapshot({ id: page })]
          },
          responseOptions: JSON_REPLY
        }
      })
      .persist()
    const items = await client().listSnapshots()
    expect(items).toHaveLength(PAGES)
    expect(items.at(-1)?.id).toBe(PAGES)
  })
})

describe('an error answer', () => {
  const create = (c: VpsClient) => c.createSnapshot({ server_id: SERVER_ID, name: 'pre-deploy', description: 'x' })

  it.each([
    {
      shape: '{detail}',
      status: 400,
      reply: { detail: 'Snapshot limit reached for this server.' },
      words: ['Snapshot limit reached for this server.']
    },
    {
      shape: '{message}',
      status: 400,
      reply: { message: 'Server is not in a valid state.' },
      words: ['Server is not in a valid state.']
    },
    { shape: '{error}', status: 404, reply: { error: 'Server not found' }, words: ['Server not found'] },
    {
      shape: 'a field map',
      status: 400,
      reply: { name: ['Invalid characters.'], server_id: ['Required.'] },
      words: ['name', 'Invalid characters.', 'server_id', 'Required.']
    },
    {
      shape: '{non_field_errors}',
      status: 400,
      reply: { non_field_errors: ['Snapshot limit reached.'] },
      words: ['Snapshot limit reached.']
    },
    { shape: 'a 401 {detail}', status: 401, reply: { detail: 'Invalid token.' }, words: ['Invalid token.'] },
    {
      shape: 'a 429 {detail}',
      status: 429,
      reply: { detail: 'Request was throttled.' },
      words: ['Request was throttled.']
    }
  ])(
    'becomes an ApiError with the status, the endpoint and the message of $shape',
    async ({ status, reply, words }) => {
      // A refusal (429) is sent again: every attempt gets the same answer, and the last one is passed on.
      api.intercept({ method: 'POST', path: '/api/v1/snapshots/' }).reply(status, reply, JSON_REPLY).persist()

      const error = await failureOf(create(client()))

      expect(error).toBeInstanceOf(ApiError)
      const apiError = error as ApiError
      expect(apiError.status).toBe(status)
      expect(apiError.endpoint).toBe('POST /snapshots/')
      for (const word of words) expect(apiError.apiMessage).toContain(word)
      expect(error.message).not.toContain(TOKEN)
    }
  )

  it.each([
    {
      case: 'an HTML 502 from a proxy',
      status: 502,
      reply: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
      options: HTML_REPLY,
      words: ['502 Bad Gateway']
    },
    { case: 'a 503 with an empty body', status: 503, reply: '', options: {}, words: ['empty'] },
    {
      case: 'a 500 in plain text',
      status: 500,
      reply: 'Internal Server Error',
      options: { headers: { 'content-type': 'text/plain' } },
      words: ['Internal Server Error']
    },
    {
      case: 'a truncated JSON error',
      status: 400,
      reply: '{"detail": "Snapshot lim',
      options: JSON_REPLY,
      words: ['Snapshot lim']
    },
    {
      case: 'a truncated JSON success',
      status: 201,
      reply: '{"id": 801, "name": "pre-dep',
      options: JSON_REPLY,
      words: ['pre-dep']
    },
    {
      case: 'an HTML page with 200',
      status: 200,
      reply: '<html><body>Welcome to nginx!</body></html>',
      options: HTML_REPLY,
      words: ['Welcome to nginx!']
    }
  ])('gives an ApiError naming the endpoint and status for $case', async ({ status, reply, options, words }) => {
    api.intercept({ method: 'POST', path: '/api/v1/snapshots/' }).reply(status, reply, options).persist()

    const error = await failureOf(create(client()))

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status, endpoint: 'POST /snapshots/' })
    expect(error.message).toContain('POST /snapshots/')
    expect(error.message).toContain(String(status))
    for (const word of words) expect(error.message).toContain(word)
  })

  it('names the list endpoint with its filter', async () => {
    api
      .intercept({ method: 'GET', path: `/api/v1/snapshots/?server_id=${SERVER_ID}` })
      .reply(401, { detail: 'Invalid token.' }, JSON_REPLY)
    const error = await failureOf(client().listSnapshots(SERVER_ID))
    expect(error).toMatchObject({ status: 401, endpoint: `GET /snapshots/?server_id=${SERVER_ID}` })
  })

  it.each([301, 302, 307, 308])('%i is an ApiError naming the Location, not followed', async status => {
    const location = 'https://login.api.test/api/v1/snapshots/'
    api.intercept({ method: 'POST', path: '/api/v1/snapshots/' }).reply(status, '', { headers: { location } })
    agent
      .get('https://login.api.test')
      .intercept({ method: 'POST', path: () => true })
      .reply(201, SNAPSHOT, JSON_REPLY)

    const error = await failureOf(create(client()))

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status, endpoint: 'POST /snapshots/' })
    expect(error.message).toContain(location)
    expect(calls()).toHaveLength(1)
  })
})

describe('an answer of the wrong shape', () => {
  it.each<{
    case: string
    call: (client: VpsClient) => Promise<unknown>
    method: 'GET' | 'POST'
    path: string
    reply: unknown
  }>([
    { case: '{} for a list', call: c => c.listSnapshots(), method: 'GET', path: '/api/v1/snapshots/', reply: {} },
    {
      case: 'a bare array for a list',
      call: c => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      reply: [SNAPSHOT]
    },
    { case: 'null for a list', call: c => c.listBackups(), method: 'GET', path: '/api/v1/backups/', reply: 'null' },
    {
      case: 'an empty body for a list',
      call: c => c.listBackups(),
      method: 'GET',
      path: '/api/v1/backups/',
      reply: ''
    },
    {
      case: 'a listed item without id',
      call: c => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      reply: { count: 1, results: [{ ...SNAPSHOT, id: undefined }] }
    },
    {
      case: 'a listed item with a string id',
      call: c => c.listBackups(),
      method: 'GET',
      path: '/api/v1/backups/',
      reply: { count: 1, results: [{ ...BACKUP, id: '501' }] }
    },
    {
      case: 'a listed snapshot without a name',
      call: c => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      reply: { count: 1, results: [{ ...SNAPSHOT, name: undefined }] }
    },
    {
      case: 'a listed item without status',
      call: c => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      reply: { count: 2, results: [SNAPSHOT, { ...SNAPSHOT, id: 802, status: undefined }] }
    },
    {
      case: 'a created snapshot without id',
      call: c => c.createSnapshot({ server_id: SERVER_ID, name: 'n', description: 'd' }),
      method: 'POST',
      path: '/api/v1/snapshots/',
      reply: { message: 'Snapshot creation started' }
    },
    {
      case: 'a created backup without server',
      call: c => c.createBackup({ server_id: SERVER_ID, description: 'd' }),
      method: 'POST',
      path: '/api/v1/backups/',
      reply: { ...BACKUP, server: undefined }
    },
    {
      case: 'a server without status',
      call: c => c.getServer(SERVER_ID),
      method: 'GET',
      path: `/api/v1/servers/${SERVER_ID}/`,
      reply: { id: SERVER_ID }
    },
    {
      case: 'a restore answer without the server',
      call: c => c.restoreSnapshot(801),
      method: 'POST',
      path: '/api/v1/snapshots/801/restore/',
      reply: { status: 'success', message: 'Restoring' }
    }
  ])('gives an ApiError "unexpected answer" for $case', async ({ call, method, path, reply }) => {
    api.intercept({ method, path }).reply(200, typeof reply === 'string' ? reply : JSON.stringify(reply), JSON_REPLY)

    const error = await failureOf(call(client()))

    expect(error).toBeInstanceOf(ApiError)
    expect(error.message).toMatch(/unexpected answer/)
    expect((error as ApiError).endpoint).toContain(path.replace('/api/v1', ''))
  })
})

describe('time', () => {
  it.each([
    {
      case: 'a list',
      call: (c: VpsClient) => c.listSnapshots(),
      method: 'GET',
      path: '/api/v1/snapshots/',
      endpoint: 'GET /snapshots/'
    },
    {
      case: 'a create',
      call: (c: VpsClient) => c.createSnapshot({ server_id: SERVER_ID, name: 'n', description: 'd' }),
      method: 'POST',
      path: '/api/v1/snapshots/',
      endpoint: 'POST /snapshots/'
    }
  ])(
    'cuts off $case that never answers within the deadline, naming the endpoint',
    async ({ call, method, path, endpoint }) => {
      api.intercept({ method, path }).reply(200, { count: 0, results: [] }, JSON_REPLY).delay(400)

      const error = await failureOf(call(client({ deadlineInMs: 60, clock: REAL_CLOCK })))

      expect(error).toBeInstanceOf(NetworkError)
      expect((error as NetworkError).endpoint).toBe(endpoint)
      expect(error.message).toContain(endpoint)
    }
  )

  it('sends nothing once the deadline has passed', async () => {
    api.intercept({ method: 'POST', path: '/api/v1/snapshots/' }).reply(201, SNAPSHOT, JSON_REPLY)

    const error = await failureOf(
      client({ deadlineInMs: -1, clock: REAL_CLOCK }).createSnapshot({
        server_id: SERVER_ID,
        name: 'n',
        description: 'd'
      })
    )

    expect(error).toBeInstanceOf(NetworkError)
    expect(error.message).toContain('POST /snapshots/')
    expect(error.message).toMatch(/time/)
    expect(calls()).toEqual([])
    expect(agent.pendingInterceptors()).toHaveLength(1)
  })
})

describe('the retry policy, on the wire', () => {
  const list = (c: VpsClient) => c.listSnapshots()
  const LIST = { path: '/api/v1/snapshots/', method: 'GET' }
  const POST = { path: '/api/v1/snapshots/', method: 'POST' }
  const EMPTY = { count: 0, results: [] }
  const create = (c: VpsClient) => c.createSnapshot({ server_id: SERVER_ID, name: 'n', description: 'd' })
  const transportError = (code: string) => Object.assign(new Error(`simulated ${code}`), { code })

  beforeEach(() => {
    // No jitter: the attempts follow each other at once unless a Retry-After asks for more.
    vi.spyOn(Math, 'random').mockReturnValue(0)
  })

  it('a GET answered 503 then 200: the list, after two attempts, one retry line naming the endpoint', async () => {
    api.intercept(LIST).reply(503, { detail: 'busy' })
    api.intercept(LIST).reply(200, EMPTY, JSON_REPLY)
    await expect(list(client())).resolves.toEqual([])
    expect(calls()).toHaveLength(2)
    expect(retryLines).toEqual([`GET /snapshots/: HTTP 503; trying again in 0.0 s (attempt 2 of ${MAX_ATTEMPTS})`])
  })

  it.each([408, 429, 500, 502, 504])('a GET answered %i once: retried, then the list', async status => {
    api.intercept(LIST).reply(status, { detail: 'try later' })
    api.intercept(LIST).reply(200, EMPTY, JSON_REPLY)
    await expect(list(client())).resolves.toEqual([])
    expect(calls()).toHaveLength(2)
  })

  it.each([400, 401, 403, 404, 409, 422])('a GET answered %i: one attempt, that answer', async status => {
    api.intercept(LIST).reply(status, { detail: 'no' }, JSON_REPLY).persist()
    await expect(failureOf(list(client()))).resolves.toMatchObject({ status, apiMessage: 'no' })
    expect(calls()).toHaveLength(1)
    expect(retryLines).toEqual([])
  })

  it(`a GET answered 503 every time: ${MAX_ATTEMPTS} attempts, then the last answer's status and message`, async () => {
    api.intercept(LIST).reply(503, { detail: 'down' }, JSON_REPLY).persist()
    await expect(failureOf(list(client()))).resolves.toMatchObject({ status: 503, apiMessage: 'down' })
    expect(calls()).toHaveLength(MAX_ATTEMPTS)
  })

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'ETIMEDOUT'])('a GET that failed with %s: retried', async code => {
    api.intercept(LIST).replyWithError(transportError(code))
    api.intercept(LIST).reply(200, EMPTY, JSON_REPLY)
    await expect(list(client())).resolves.toEqual([])
    expect(calls()).toHaveLength(2)
  })

  it('a POST answered 500: one attempt (it may have been carried out), that answer', async () => {
    api.intercept(POST).reply(500, { detail: 'boom' }, JSON_REPLY).persist()
    await expect(failureOf(create(client()))).resolves.toMatchObject({ status: 500, apiMessage: 'boom' })
    expect(calls()).toHaveLength(1)
  })

  it.each([429, 503])('a POST answered %i (refused): sent again, then created', async status => {
    api.intercept(POST).reply(status, { detail: 'busy' }, { headers: { 'retry-after': '0' } })
    api.intercept(POST).reply(201, SNAPSHOT, JSON_REPLY)
    await expect(create(client())).resolves.toMatchObject({ id: SNAPSHOT.id })
    expect(calls()).toHaveLength(2)
  })

  it('a POST whose connection dropped (ECONNRESET): not sent again, a NetworkError with the code', async () => {
    api.intercept(POST).replyWithError(transportError('ECONNRESET')).persist()
    await expect(failureOf(create(client()))).resolves.toMatchObject({ code: 'ECONNRESET' })
    expect(calls()).toHaveLength(1)
  })

  it('a POST that never connected (ECONNREFUSED): sent again', async () => {
    api.intercept(POST).replyWithError(transportError('ECONNREFUSED'))
    api.intercept(POST).reply(201, SNAPSHOT, JSON_REPLY)
    await expect(create(client())).resolves.toMatchObject({ id: SNAPSHOT.id })
    expect(calls()).toHaveLength(2)
  })

  it("a 429 with Retry-After: waits what it asked for, on the step's clock", async () => {
    api.intercept(LIST).reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '7' } })
    api.intercept(LIST).reply(200, EMPTY, JSON_REPLY)
    const started = clock.now()
    await list(client())
    expect(clock.now() - started).toBe(7_000)
    expect(retryLines).toEqual([expect.stringContaining('HTTP 429; trying again in 7.0 s')])
  })

  it('a 429 with Retry-After pauses every request of the step, not only the one that was told', async () => {
    const pause = new RequestPause(clock)
    const started = clock.now()
    const at: Record<string, number> = {}
    api.intercept(LIST).reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '30' } })
    api
      .intercept(LIST)
      .reply(() => ((at.list = clock.now() - started), { statusCode: 200, data: EMPTY, responseOptions: JSON_REPLY }))
    api
      .intercept({ path: `/api/v1/servers/${SERVER_ID}/`, method: 'GET' })
      .reply(
        () => ((at.server = clock.now() - started), { statusCode: 200, data: SERVER, responseOptions: JSON_REPLY })
      )
    const shared = client({ pause })
    await shared.listSnapshots()
    // Another server's request, started while the pause holds, waits for it too.
    clock.advance(-30_000)
    await client({ pause }).getServer(SERVER_ID)
    expect(at.list).toBe(30_000)
    expect(at.server).toBeGreaterThanOrEqual(30_000)
  })

  it('a Retry-After longer than the time left is not waited for: one attempt, the 429', async () => {
    api
      .intercept(LIST)
      .reply(429, { detail: 'throttled' }, { headers: { 'retry-after': '30' } })
      .persist()
    await expect(failureOf(list(client({ deadlineInMs: 10_000 })))).resolves.toMatchObject({ status: 429 })
    expect(calls()).toHaveLength(1)
  })

  it('a DELETE whose first answer was lost and whose retry met 404: the 404 says an earlier attempt may have acted', async () => {
    const DELETE = { path: '/api/v1/snapshots/801/', method: 'DELETE' }
    api.intercept(DELETE).replyWithError(transportError('ECONNRESET'))
    api.intercept(DELETE).reply(404, { detail: 'Not found.' }, JSON_REPLY)
    const error = (await failureOf(client().deleteSnapshot(801))) as ApiError
    expect(error).toMatchObject({ status: 404, earlierAttemptMayHaveActed: true })
  })

  it('a DELETE met with 404 at the first attempt: no earlier attempt acted', async () => {
    api.intercept({ path: '/api/v1/snapshots/801/', method: 'DELETE' }).reply(404, { detail: 'Not found.' }, JSON_REPLY)
    const error = (await failureOf(client().deleteSnapshot(801))) as ApiError
    expect(error).toMatchObject({ status: 404, earlierAttemptMayHaveActed: false })
  })
})
