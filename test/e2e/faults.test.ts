// The bundle against an API that fails: which requests are tried again and how often, creates
// and restores that are never carried out twice, deletes that tolerate a lost answer, and one
// clear error line, within `timeout`, when the API gives nothing usable.
import { describe, expect, it } from 'vitest'
import type { Emulator, Fault, RecordedRequest } from '../emulator/server.ts'
import type { StepResult } from '../harness/runner.ts'
import {
  WEB, calls, describeRequest, expectFailure, expectSuccess, minutesAgo, notices, start, step, writes
} from './helpers.ts'

/** `MAX_ATTEMPTS` of src/api/retry.ts, as a user sees it: one request and four retries. */
const MAX_ATTEMPTS = 5
/** `MAX_CREATE_ATTEMPTS` of src/operations/create.ts: sends of one create, lookups between. */
const MAX_CREATE_ATTEMPTS = 3
/** A timeout short enough for a test, long enough for the step to start and send. */
const SHORT_TIMEOUT = '3s'
/** How long past `timeout` a step may take to wind up: start, report and exit. */
const WIND_UP_MS = 3_000
/** Retry-After 0 keeps a refused request's retry quick; the jitter still applies. */
const NOW = { 'retry-after': '0' }

/** The requests of one route, e.g. `GET /snapshots/` or `POST /snapshots/801/restore/`, query left out. */
function requestsTo(emulator: Emulator, route: string): RecordedRequest[] {
  return emulator.requests.filter(request => describeRequest(request).split('?')[0] === route)
}

/** Restore requests of either kind. */
function restores(emulator: Emulator): string[] {
  return writes(emulator).filter(write => write.endsWith('/restore/'))
}

/** An expected failure whose one error line is short and free of the HTML it quotes. */
function expectClearFailure(result: StepResult, ...fragments: Array<string | RegExp>): string {
  const error = expectFailure(result, ...fragments)
  expect(error.length, error).toBeLessThan(400)
  expect(error).not.toMatch(/<\/?[a-z]+[^>]*>/i)
  return error
}

describe.concurrent('GET and DELETE are tried again on a passing failure', () => {
  const PASSING: Array<[string, Fault]> = [
    ...[408, 429, 500, 502, 503, 504].map((status): [string, Fault] => [`HTTP ${status}`, { kind: 'status', status, headers: NOW }]),
    ['a proxy’s HTML 502 page', { kind: 'html', status: 502 }],
    ['a connection reset before the answer', { kind: 'reset-before' }],
    ['a connection reset after the server acted', { kind: 'reset-after' }]
  ]

  it.each(PASSING)('list-snapshots after %s: the list, on the second request', async (_case, fault) => {
    const emulator = await start()
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'nightly' })
      emulator.inject('GET /snapshots/', fault)
      const result = await step(emulator, { operation: 'list-snapshots', server_id: String(WEB) })
      expectSuccess(result)
      expect(requestsTo(emulator, 'GET /snapshots/')).toHaveLength(2)
      expect(result.outputs).toMatchObject({ count: '1' })
      expect(JSON.parse(result.outputs.items ?? '[]')).toMatchObject([{ id: snapshot.id }])
    } finally {
      await emulator.close()
    }
  })

  it.each(PASSING.filter(([, fault]) => fault.kind !== 'reset-after'))('delete-backup after %s: deleted, on the second request', async (_case, fault) => {
    const emulator = await start()
    try {
      const backup = emulator.addBackup({ serverId: WEB, description: 'old' })
      emulator.inject('DELETE /backups/{id}/', fault)
      const result = await step(emulator, { operation: 'delete-backup', backup_id: String(backup.id) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /backups/${backup.id}/`, `DELETE /backups/${backup.id}/`])
      expect(emulator.backups()).toEqual([])
      expect(result.outputs.deleted_ids).toBe(`[${backup.id}]`)
    } finally {
      await emulator.close()
    }
  })

  it('a status check during a wait rides out a 503 and a reset, and the wait still succeeds', async () => {
    const emulator = await start()
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'running', status: 'completed' })
      emulator.inject('GET /snapshots/', { kind: 'status', status: 503, headers: NOW }, { kind: 'reset-before' })
      const result = await step(emulator, { operation: 'wait-snapshot', snapshot_id: String(snapshot.id), server_id: String(WEB) })
      expectSuccess(result)
      expect(result.outputs.status).toBe('completed')
      expect(requestsTo(emulator, 'GET /snapshots/')).toHaveLength(3)
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('a final answer is never tried again', () => {
  it.each([400, 401, 403, 404, 409, 422])('GET answered %i: fails after one request, naming it', async status => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', { kind: 'status', status, body: { detail: `Refused with ${status}.` } })
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectClearFailure(result, 'list-snapshots', `HTTP ${status}`, 'GET /snapshots/', `Refused with ${status}.`)
      expect(emulator.requests).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })

  it.each([400, 401, 403, 409, 422])('DELETE answered %i: fails after one request, deleting nothing', async status => {
    const emulator = await start()
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'kept' })
      emulator.inject('DELETE /snapshots/{id}/', { kind: 'status', status })
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(snapshot.id) })
      expectClearFailure(result, 'delete-snapshot', `HTTP ${status}`)
      expect(emulator.requests).toHaveLength(1)
      expect(emulator.snapshots()).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })

  it.each([401, 403])('a create answered %i: one request, nothing created', async status => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', { kind: 'status', status })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectClearFailure(result, 'create-snapshot', `HTTP ${status}`, 'POST /snapshots/')
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
      expect(emulator.snapshots()).toEqual([])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('retries are bounded, and honour Retry-After within timeout', () => {
  it(`a GET that keeps failing: ${MAX_ATTEMPTS} requests, then the step fails`, async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', ...Array.from({ length: MAX_ATTEMPTS + 3 }, (): Fault => ({ kind: 'status', status: 503, headers: NOW })))
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectClearFailure(result, 'list-snapshots', 'GET /snapshots/')
      expect(emulator.requests).toHaveLength(MAX_ATTEMPTS)
    } finally {
      await emulator.close()
    }
  })

  it('Retry-After in seconds: the next request waits that long', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', { kind: 'status', status: 429, headers: { 'retry-after': '1' } })
      expectSuccess(await step(emulator, { operation: 'list-snapshots' }))
      const [first, second] = emulator.requests
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950)
    } finally {
      await emulator.close()
    }
  })

  it('Retry-After as an HTTP date: the next request waits until then', async () => {
    const emulator = await start()
    try {
      // Whole seconds only: 4 s ahead, cut to the second, is at least 3 s ahead; well past the
      // first backoff (0.5 s at most) however long the step takes to start.
      const at = new Date(Date.now() + 4_000).toUTCString()
      emulator.inject('GET /snapshots/', { kind: 'status', status: 503, headers: { 'retry-after': at } })
      expectSuccess(await step(emulator, { operation: 'list-snapshots' }))
      const [first, second] = emulator.requests
      expect(Date.parse(at) - (first?.at ?? 0)).toBeGreaterThan(500)
      expect(second?.at ?? 0).toBeGreaterThanOrEqual(Date.parse(at) - 50)
    } finally {
      await emulator.close()
    }
  })

  it('Retry-After over the cap (60 s): not waited for, the step fails at once after one request', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', { kind: 'status', status: 429, headers: { 'retry-after': '120' } })
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectClearFailure(result, 'list-snapshots', 'GET /snapshots/')
      expect(emulator.requests).toHaveLength(1)
      expect(result.durationMs).toBeLessThan(WIND_UP_MS + 2_000)
    } finally {
      await emulator.close()
    }
  })

  it('Retry-After beyond timeout: not waited for, the step ends within timeout', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', { kind: 'status', status: 503, headers: { 'retry-after': '30' } })
      const result = await step(emulator, { operation: 'list-snapshots', timeout: SHORT_TIMEOUT })
      expectClearFailure(result, 'list-snapshots', 'GET /snapshots/')
      expect(emulator.requests).toHaveLength(1)
      expect(result.durationMs).toBeLessThan(3_000 + WIND_UP_MS)
    } finally {
      await emulator.close()
    }
  })

  it('backoff never runs past timeout: a GET failing again and again ends within it', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', ...Array.from({ length: 20 }, (): Fault => ({ kind: 'reset-before' })))
      const result = await step(emulator, { operation: 'list-snapshots', timeout: '1500ms' })
      expectClearFailure(result, 'list-snapshots', 'GET /snapshots/')
      expect(result.durationMs).toBeLessThan(1_500 + WIND_UP_MS)
      const last = emulator.requests.at(-1)?.at ?? 0
      expect(last - (emulator.requests[0]?.at ?? 0)).toBeLessThan(1_500)
    } finally {
      await emulator.close()
    }
  })

  it(`after ${MAX_ATTEMPTS} failed attempts, the error names the last status and the API's message`, async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', ...Array.from({ length: MAX_ATTEMPTS }, (): Fault => (
        { kind: 'status', status: 503, headers: NOW, body: { detail: 'Down for maintenance.' } })))
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectClearFailure(result, 'list-snapshots', 'HTTP 503', 'GET /snapshots/', 'Down for maintenance.')
    } finally {
      await emulator.close()
    }
  })

  it('a 429 whose Retry-After is over the cap: the error names the status', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/', { kind: 'status', status: 429, headers: { 'retry-after': '120' } })
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectClearFailure(result, 'list-snapshots', 'HTTP 429', 'GET /snapshots/')
    } finally {
      await emulator.close()
    }
  })

  it('a create refused with a Retry-After over the cap is not sent again at once', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', ...Array.from({ length: MAX_CREATE_ATTEMPTS }, (): Fault => (
        { kind: 'status', status: 429, headers: { 'retry-after': '120' }, body: { detail: 'Request was throttled.' } })))
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expect(result.exitCode).toBe(1)
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('a create is never carried out twice', () => {
  /** Each fault, how many POSTs it costs, and whether the API had acted on the first. */
  const FAULTS: Array<[string, Fault, number]> = [
    ['the connection drops after the API acted', { kind: 'reset-after' }, 1],
    ['the answer is cut in half', { kind: 'truncated-json' }, 1],
    ['the connection drops before the API acted', { kind: 'reset-before' }, 2],
    ['HTTP 429 (refused)', { kind: 'status', status: 429, headers: NOW }, 2],
    ['HTTP 503 (refused)', { kind: 'status', status: 503 }, 2],
    ['a proxy’s HTML 503 page (refused)', { kind: 'html', status: 503 }, 2],
    ['HTTP 500 without acting', { kind: 'status', status: 500 }, 2],
    ['a proxy’s HTML 502 page without acting', { kind: 'html', status: 502 }, 2],
    ['HTTP 504 without acting', { kind: 'status', status: 504 }, 2]
  ]

  it.each(FAULTS)('snapshot, when %s: exactly one new snapshot, its id in the outputs', async (_case, fault, posts) => {
    const emulator = await start()
    try {
      const older = emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-earlier', createdAt: minutesAgo(60) })
      emulator.inject('POST /snapshots/', fault)
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true' })
      expectSuccess(result)
      const created = emulator.snapshots(WEB).filter(snapshot => snapshot.id !== older.id)
      expect(created).toHaveLength(1)
      expect(result.outputs).toMatchObject({ snapshot_id: String(created[0]?.id), snapshot_name: created[0]?.name, status: 'completed' })
      expect(JSON.parse(result.state.rollbackTarget ?? '{}')).toMatchObject({ id: created[0]?.id })
      expect(writes(emulator)).toEqual(Array.from({ length: posts }, () => 'POST /snapshots/'))
    } finally {
      await emulator.close()
    }
  })

  it.each(FAULTS)('backup, when %s: exactly one new backup, its id in the outputs', async (_case, fault, posts) => {
    const emulator = await start()
    try {
      const older = emulator.addBackup({ serverId: WEB, description: 'gha-acme-shop-earlier run', createdAt: minutesAgo(1) })
      emulator.inject('POST /backups/', fault)
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectSuccess(result)
      const created = emulator.backups(WEB).filter(backup => backup.id !== older.id)
      expect(created).toHaveLength(1)
      expect(result.outputs).toMatchObject({ backup_id: String(created[0]?.id), status: 'completed' })
      expect(writes(emulator)).toEqual(Array.from({ length: posts }, () => 'POST /backups/'))
    } finally {
      await emulator.close()
    }
  })

  it('a create whose outcome is unknown looks before it sends again', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', { kind: 'reset-before' })
      expectSuccess(await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), wait: 'false' }))
      // create-snapshot also reads the server beside the POST, for advice: left out here.
      const requests = calls(emulator).filter(call => !call.startsWith('GET /servers/'))
      expect(requests).toEqual(['POST /snapshots/', `GET /snapshots/?server_id=${WEB}`, 'POST /snapshots/'])
    } finally {
      await emulator.close()
    }
  })

  it(`a create the API keeps failing: ${MAX_CREATE_ATTEMPTS} sends at most, one error, nothing created`, async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /backups/', ...Array.from({ length: MAX_CREATE_ATTEMPTS + 2 }, (): Fault => ({ kind: 'html', status: 502 })))
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectClearFailure(result, 'create-backup', 'POST /backups/')
      expect(writes(emulator)).toEqual(Array.from({ length: MAX_CREATE_ATTEMPTS }, () => 'POST /backups/'))
      expect(emulator.backups()).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('a create that hangs: the step ends within timeout, nothing sent twice', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', { kind: 'hang' })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), timeout: SHORT_TIMEOUT })
      expectClearFailure(result, 'create-snapshot', 'POST /snapshots/', 'timeout')
      expect(result.durationMs).toBeLessThan(3_000 + WIND_UP_MS)
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
      expect(emulator.snapshots()).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('a user-given name already used minutes ago is not mistaken for the lost create', async () => {
    const emulator = await start()
    try {
      const earlier = emulator.addSnapshot({ serverId: WEB, name: 'pre-deploy', createdAt: minutesAgo(2) })
      emulator.inject('POST /snapshots/', { kind: 'reset-before' })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), name: 'pre-deploy', rollback_on_failure: 'true' })
      expectSuccess(result)
      const created = emulator.snapshots(WEB).filter(snapshot => snapshot.id !== earlier.id)
      expect(created).toHaveLength(1)
      expect(result.outputs.snapshot_id).toBe(String(created[0]?.id))
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('a restore is never sent twice', () => {
  it.each<[string, 'snapshot' | 'backup']>([['snapshot', 'snapshot'], ['backup', 'backup']])(
    'from a %s, when the connection drops after the API acted: one restore request, the server restored', async (_case, kind) => {
      const emulator = await start()
      try {
        const inputs = seedRestore(emulator, kind)
        emulator.inject(kind === 'snapshot' ? 'POST /snapshots/{id}/restore/' : 'POST /servers/{id}/restore/', { kind: 'reset-after' })
        const result = await step(emulator, inputs)
        expectSuccess(result)
        expect(restores(emulator)).toHaveLength(1)
        // The lost answer was made good by reading the server, which was restoring.
        expect(calls(emulator)).toContain(`GET /servers/${WEB}/`)
        expect(result.outputs).toMatchObject({ server_id: String(WEB), status: 'running' })
      } finally {
        await emulator.close()
      }
    })

  it.each<[string, number, Fault]>([
    ['the connection drops before the API acted', 2, { kind: 'reset-before' }],
    ['the answer is cut in half', 1, { kind: 'truncated-json' }],
    ['HTTP 503 (refused)', 2, { kind: 'status', status: 503, headers: NOW }],
    ['HTTP 500 without acting', 2, { kind: 'status', status: 500 }],
    ['a proxy’s HTML 502 page without acting', 2, { kind: 'html', status: 502 }]
  ])('when %s: %i restore request(s), the server restored', async (_case, expected, fault) => {
    const emulator = await start()
    try {
      const inputs = seedRestore(emulator, 'snapshot')
      emulator.inject('POST /snapshots/{id}/restore/', fault)
      const result = await step(emulator, inputs)
      expectSuccess(result)
      expect(restores(emulator)).toHaveLength(expected)
      expect(result.outputs.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('a restore the API keeps failing: sent twice at most, one error', async () => {
    const emulator = await start()
    try {
      const inputs = seedRestore(emulator, 'backup')
      emulator.inject('POST /servers/{id}/restore/', { kind: 'html', status: 502 }, { kind: 'html', status: 502 }, { kind: 'html', status: 502 })
      const result = await step(emulator, inputs)
      expectClearFailure(result, 'restore-backup', `POST /servers/${WEB}/restore/`)
      expect(restores(emulator)).toHaveLength(2)
    } finally {
      await emulator.close()
    }
  })

  it('a restore that hangs: the step ends within timeout, one restore request', async () => {
    const emulator = await start()
    try {
      const inputs = seedRestore(emulator, 'snapshot')
      emulator.inject('POST /snapshots/{id}/restore/', { kind: 'hang' })
      const result = await step(emulator, { ...inputs, timeout: SHORT_TIMEOUT })
      expectClearFailure(result, 'restore-snapshot', 'timeout')
      expect(result.durationMs).toBeLessThan(3_000 + WIND_UP_MS)
      expect(restores(emulator)).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })
})

function seedRestore(emulator: Emulator, kind: 'snapshot' | 'backup'): Record<string, string> {
  if (kind === 'snapshot') {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'good' })
    return { operation: 'restore-snapshot', snapshot_id: String(snapshot.id), server_id: String(WEB) }
  }
  const backup = emulator.addBackup({ serverId: WEB, description: 'good' })
  return { operation: 'restore-backup', backup_id: String(backup.id), server_id: String(WEB) }
}

describe.concurrent('a delete is idempotent', () => {
  it.each<[string, string, string]>([
    ['snapshot', 'DELETE /snapshots/{id}/', 'delete-snapshot'],
    ['backup', 'DELETE /backups/{id}/', 'delete-backup']
  ])('%s: an answer lost after the delete, then 404 on the retry: success, with a notice', async (kind, route, operation) => {
    const emulator = await start()
    try {
      const id = kind === 'snapshot' ? emulator.addSnapshot({ serverId: WEB, name: 'old' }).id : emulator.addBackup({ serverId: WEB }).id
      emulator.inject(route, { kind: 'reset-after' })
      const result = await step(emulator, { operation, [`${kind}_id`]: String(id) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /${kind}s/${id}/`, `DELETE /${kind}s/${id}/`])
      expect(kind === 'snapshot' ? emulator.snapshots() : emulator.backups()).toEqual([])
      expect(notices(result).join('\n')).toContain(`${kind} ${id} is already gone`)
    } finally {
      await emulator.close()
    }
  })

  it('a 404 straight away: a notice, exit 0, one request', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: '4242' })
      expectSuccess(result)
      expect(notices(result)).toEqual([expect.stringContaining('snapshot 4242 is already gone')])
      expect(emulator.requests).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('an answer that cannot be used: one clear error line', () => {
  it('an HTML 502 page on a POST: the endpoint, no stack trace, no HTML', async () => {
    const emulator = await start()
    try {
      const inputs = seedRestore(emulator, 'snapshot')
      emulator.inject('POST /snapshots/{id}/restore/', { kind: 'html', status: 502 }, { kind: 'html', status: 502 })
      const result = await step(emulator, inputs)
      expectClearFailure(result, 'restore-snapshot', /POST \/snapshots\/\d+\/restore\//)
    } finally {
      await emulator.close()
    }
  })

  it('an HTML 502 page on a POST: the error names the status and quotes the page briefly', async () => {
    const emulator = await start()
    try {
      const inputs = seedRestore(emulator, 'snapshot')
      emulator.inject('POST /snapshots/{id}/restore/', { kind: 'html', status: 502 }, { kind: 'html', status: 502 })
      const result = await step(emulator, inputs)
      expectClearFailure(result, 'restore-snapshot', 'HTTP 502', /POST \/snapshots\/\d+\/restore\//, '502 Bad Gateway')
    } finally {
      await emulator.close()
    }
  })

  it('an HTML 502 page on every GET: retried, then the endpoint, no stack trace, no HTML', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /backups/', ...Array.from({ length: MAX_ATTEMPTS }, (): Fault => ({ kind: 'html', status: 502 })))
      const result = await step(emulator, { operation: 'list-backups' })
      expectClearFailure(result, 'list-backups', 'GET /backups/')
      expect(emulator.requests).toHaveLength(MAX_ATTEMPTS)
    } finally {
      await emulator.close()
    }
  })

  it('an HTML 502 page on every GET: the error names the status and quotes the page briefly', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /backups/', ...Array.from({ length: MAX_ATTEMPTS }, (): Fault => ({ kind: 'html', status: 502 })))
      const result = await step(emulator, { operation: 'list-backups' })
      expectClearFailure(result, 'list-backups', 'HTTP 502', 'GET /backups/', '502 Bad Gateway')
    } finally {
      await emulator.close()
    }
  })

  it('an HTML page with an error status that is not retried: status, endpoint and a short excerpt', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /backups/', { kind: 'html', status: 400 })
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectClearFailure(result, 'create-backup', 'HTTP 400', 'POST /backups/', '400 Bad Request')
    } finally {
      await emulator.close()
    }
  })

  it.each<[string, string, (emulator: Emulator) => Record<string, string>]>([
    ['a list', 'GET /snapshots/', () => ({ operation: 'list-snapshots' })],
    ['a status check during a restore', 'GET /servers/{id}/', emulator => seedRestore(emulator, 'snapshot')]
  ])('truncated JSON on %s: status, endpoint, a short excerpt, not retried', async (_case, route, inputs) => {
    const emulator = await start()
    try {
      emulator.addSnapshot({ serverId: WEB, name: 'a-name-long-enough-to-cut' })
      const operationInputs = inputs(emulator)
      emulator.inject(route, { kind: 'truncated-json' })
      const result = await step(emulator, operationInputs)
      const endpoint = route.replace('{id}', String(WEB))
      expectClearFailure(result, operationInputs.operation ?? '', 'HTTP 200', endpoint, /not JSON/)
      expect(requestsTo(emulator, endpoint)).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })

  it.each<[string, string, (emulator: Emulator) => Record<string, string>]>([
    ['a status check during a create', 'GET /snapshots/', () => ({ operation: 'create-snapshot', server_id: String(WEB) })],
    ['a status check during a restore', 'GET /servers/{id}/', emulator => seedRestore(emulator, 'backup')],
    ['a delete', 'DELETE /snapshots/{id}/', emulator => ({
      operation: 'delete-snapshot', snapshot_id: String(emulator.addSnapshot({ serverId: WEB, name: 'old' }).id)
    })]
  ])('an API that never answers %s: cut off, the step fails within timeout', async (_case, route, inputs) => {
    const emulator = await start()
    try {
      const operationInputs = inputs(emulator)
      emulator.inject(route, ...Array.from({ length: 10 }, (): Fault => ({ kind: 'hang' })))
      const result = await step(emulator, { ...operationInputs, timeout: SHORT_TIMEOUT })
      expectClearFailure(result, operationInputs.operation ?? '', 'timeout')
      expect(result.durationMs).toBeLessThan(3_000 + WIND_UP_MS)
    } finally {
      await emulator.close()
    }
  })
})
