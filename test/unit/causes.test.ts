// Errors that point at the cause: which input a refusal names, from the answer and the request,
// and a transport failure told in a person's words, never the library's code.
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { VpsClient } from '../../src/api/client.ts'
import { causeOf } from '../../src/api/errors.ts'
import { RequestPause } from '../../src/api/retry.ts'
import { REAL_CLOCK } from '../../src/clock.ts'

describe('causeOf', () => {
  it.each([
    { status: 401, method: 'GET', path: '/snapshots/', cause: 'check input "api_token": the API did not accept it' },
    {
      status: 403,
      method: 'POST',
      path: '/snapshots/',
      cause: 'check input "api_token": the API refused it (a token without the permission for this request)'
    },
    {
      status: 404,
      method: 'GET',
      path: '/servers/12345/',
      cause: 'check input "server_id": the API has no server 12345'
    },
    { status: 404, method: 'POST', path: '/snapshots/', cause: 'check input "server_id": the API has no such server' },
    { status: 404, method: 'POST', path: '/backups/', cause: 'check input "server_id": the API has no such server' },
    {
      status: 404,
      method: 'POST',
      path: '/snapshots/801/restore/',
      cause: 'check input "snapshot_id": the API has no snapshot 801'
    },
    {
      status: 404,
      method: 'DELETE',
      path: '/backups/501/',
      cause: 'check input "backup_id": the API has no backup 501'
    },
    {
      status: 404,
      method: 'POST',
      path: '/servers/12345/restore/',
      cause: 'check inputs "server_id" and "backup_id": the API has no server 12345, or no such backup of it'
    },
    // A list always exists: its 404 is a wrong base URL.
    {
      status: 404,
      method: 'GET',
      path: '/snapshots/',
      cause: 'check input "api_url": no path of the API answers there'
    },
    {
      status: 404,
      method: 'GET',
      path: '/somewhere/else/',
      cause: 'check input "api_url": no path of the API answers there'
    },
    { status: 400, method: 'POST', path: '/snapshots/', cause: undefined },
    { status: 503, method: 'GET', path: '/snapshots/', cause: undefined }
  ])('$status on $method $path: $cause', ({ status, method, path, cause }) => {
    expect(causeOf(status, method, path, undefined)).toBe(cause)
  })

  it("points every 404 at api_url once the API's own list answers 404 too", () => {
    expect(causeOf(404, 'GET', '/servers/12345/', false)).toBe(
      'check input "api_url": no path of the API answers there'
    )
  })
})

describe('what the client says', () => {
  let agent: MockAgent
  const retries: string[] = []
  beforeEach(() => {
    agent = new MockAgent()
    agent.disableNetConnect()
    retries.length = 0
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await agent.close()
  })
  const client = (base = 'https://api.test/api/v1') =>
    new VpsClient({
      baseUrl: new URL(base),
      token: 't',
      dispatcher: agent,
      deadline: Date.now() + 60_000,
      clock: REAL_CLOCK,
      pause: new RequestPause(REAL_CLOCK),
      onRetry: line => retries.push(line)
    })

  it('a request that hangs is retried as "no answer within 30 s", never UND_ERR_HEADERS_TIMEOUT', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const pool = agent.get('https://api.test')
    const hung = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })
    pool.intercept({ path: '/api/v1/servers/12345/', method: 'GET' }).replyWithError(hung)
    pool
      .intercept({ path: '/api/v1/servers/12345/', method: 'GET' })
      .reply(200, { id: 12345, name: 'web', status: 'running' })
    await client().getServer(12345)
    expect(retries).toEqual(['GET /servers/12345/: no answer within 30 s; trying again in 0.0 s (attempt 2 of 5)'])
  })

  it('a wrong api_url: the 404 of a server names the whole URL and api_url, found by one read of the list', async () => {
    const pool = agent.get('https://api.test')
    pool.intercept({ path: '/api/v2/servers/12345/', method: 'GET' }).reply(404, { detail: 'Not found.' })
    pool.intercept({ path: '/api/v2/snapshots/', method: 'GET' }).reply(404, { detail: 'Not found.' })
    await expect(client('https://api.test/api/v2').getServer(12345)).rejects.toThrow(
      'HTTP 404 from GET https://api.test/api/v2/servers/12345/: Not found. Check input "api_url": no path of the API answers there.'
    )
  })

  it('a server that does not exist: the list answers, so the 404 names server_id', async () => {
    const pool = agent.get('https://api.test')
    pool.intercept({ path: '/api/v1/servers/99/', method: 'GET' }).reply(404, { detail: 'Not found.' })
    pool.intercept({ path: '/api/v1/snapshots/', method: 'GET' }).reply(200, { count: 0, results: [] })
    await expect(client().getServer(99)).rejects.toThrow(
      'HTTP 404 from GET https://api.test/api/v1/servers/99/: Not found. Check input "server_id": the API has no server 99.'
    )
  })
})
