// list-snapshots and list-backups, in-process against the emulator (three items a page): every
// page, newest first, the filters on every page, `count` exact and `items` bounded, and an API
// that fails.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect } from 'vitest'
import type { Backup, Snapshot } from '../../src/api/types.ts'
import { LIST_BACKUPS, LIST_SNAPSHOTS } from '../../src/operations/list.ts'
import type { Fault } from '../emulator/server.ts'
import { DB, WEB, failureOf, outputsOf, summaryOf, test, type Api, type Step } from '../support/in-process.ts'

const MINUTE = 60_000
/** GitHub keeps at most 1 MB of a job's outputs; the action keeps `items` to half of it. */
const ITEMS_OUTPUT_LIMIT_BYTES = 500_000

function minutesAgo(api: Api, minutes: number): string {
  return new Date(api.clock.now() - minutes * MINUTE).toISOString()
}

/** Seven snapshots whose ids do not follow their creation times. */
function seedSnapshots(api: Api): void {
  for (const [serverId, name, minutes] of [
    [WEB, 'web-a', 50],
    [WEB, 'web-b', 10],
    [DB, 'db-a', 20],
    [WEB, 'web-c', 40],
    [WEB, 'web-d', 30],
    [DB, 'db-b', 60],
    [WEB, 'web-e', 5]
  ] as const) {
    api.emulator.addSnapshot({ serverId, name, createdAt: minutesAgo(api, minutes) })
  }
}

/** Seven backups: four manual and two automatic on WEB, one manual on DB; the description says which and how old. */
function seedBackups(api: Api): void {
  for (const [serverId, backupType, minutes] of [
    [WEB, 'manual', 50],
    [WEB, 'automatic', 25],
    [WEB, 'manual', 15],
    [DB, 'manual', 5],
    [WEB, 'manual', 35],
    [WEB, 'automatic', 45],
    [WEB, 'manual', 55]
  ] as const) {
    api.emulator.addBackup({
      serverId,
      backupType,
      description: `${backupType} ${minutes}`,
      createdAt: minutesAgo(api, minutes)
    })
  }
}

function items<T>(step: Step): T[] {
  return JSON.parse(outputsOf(step).items ?? 'null') as T[]
}

/** The items of the summary table, by a field. */
function tableOf(step: Step, field: 'id' | 'name' | 'description'): unknown[] {
  return (step.recorder.outcome.items ?? []).map(item => (item as unknown as Record<string, unknown>)[field])
}

/** The emulator's items, in the order given by `key` (names or descriptions). */
function inOrder<T extends Snapshot | Backup>(all: T[], key: (item: T) => string, order: string[]): T[] {
  return order.map(value => {
    const found = all.find(item => key(item) === value)
    if (!found) throw new Error(`no item ${value}`)
    return found
  })
}

/** Every server's list, four at a time. */
const ALL = { serverIds: undefined, maxParallel: 4 }

describe('list-snapshots', () => {
  test('every page of every server, newest first by creation time', async ({ api }) => {
    seedSnapshots(api)
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools)
    expect(api.requests()).toEqual(['GET /snapshots/', 'GET /snapshots/?page=2', 'GET /snapshots/?page=3'])
    const order = ['web-e', 'web-b', 'db-a', 'web-d', 'web-c', 'web-a', 'db-b']
    expect(items(step)).toEqual(inOrder(api.emulator.snapshots(), snapshot => snapshot.name, order))
    expect(outputsOf(step).count).toBe('7')
    expect(outputsOf(step)).not.toHaveProperty('server_id')
    expect(tableOf(step, 'name')).toEqual(order)
    expect(summaryOf(step)).toEqual(['Found 7 snapshots.'])
  })

  test('server_id filters every page', async ({ api }) => {
    seedSnapshots(api)
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: [WEB], maxParallel: 4 }, step.tools)
    expect(api.requests()).toEqual([`GET /snapshots/?server_id=${WEB}`, `GET /snapshots/?server_id=${WEB}&page=2`])
    expect(items<Snapshot>(step).map(snapshot => snapshot.name)).toEqual(['web-e', 'web-b', 'web-d', 'web-c', 'web-a'])
    expect(outputsOf(step)).toMatchObject({ count: '5', server_id: String(WEB) })
    expect(summaryOf(step)).toEqual([`Found 5 snapshots on server ${WEB}.`])
  })

  test('an empty list: count 0 and []', async ({ api }) => {
    seedSnapshots(api)
    api.emulator.addServer({ id: 4242, name: 'empty' })
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: [4242], maxParallel: 4 }, step.tools)
    expect(outputsOf(step)).toEqual({
      count: '0',
      items: '[]',
      server_id: '4242',
      results: JSON.stringify([{ server_id: 4242, count: 0 }])
    })
    expect(step.recorder.outcome.items).toEqual([])
    expect(summaryOf(step)).toEqual(['Found 0 snapshots on server 4242.'])
  })

  test('one snapshot is one', async ({ api }) => {
    api.emulator.addSnapshot({ serverId: DB, name: 'only' })
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: [DB], maxParallel: 4 }, step.tools)
    expect(summaryOf(step)).toEqual([`Found 1 snapshot on server ${DB}.`])
  })

  test('items that would not fit in an output: the newest that fit, a warning naming how many were left out, count and table whole', async ({
    api
  }) => {
    // Two bytes a character: a bound counted in characters would let twice as much through.
    const description = 'é'.repeat(5_000)
    for (let n = 0; n < 60; n++)
      api.emulator.addSnapshot({ serverId: WEB, name: `big-${n}`, description, createdAt: minutesAgo(api, 600 - n) })
    const newestFirst = api.emulator.snapshots(WEB)
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: [WEB], maxParallel: 4 }, step.tools)
    const output = outputsOf(step).items ?? ''
    const kept = items<Snapshot>(step)
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(ITEMS_OUTPUT_LIMIT_BYTES)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept).toEqual(newestFirst.slice(0, kept.length))
    // As many as fit: one more would not.
    expect(Buffer.byteLength(JSON.stringify(newestFirst.slice(0, kept.length + 1)))).toBeGreaterThan(
      ITEMS_OUTPUT_LIMIT_BYTES
    )
    const left = 60 - kept.length
    expect(outputsOf(step).count).toBe('60')
    expect(step.recorder.outcome.items).toHaveLength(60)
    const warnings = summaryOf(step, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`the newest ${kept.length} of the 60 snapshots: ${left} older ones were left out`)
    expect(warnings[0]).toContain('count is exact')
  })

  test('items that fit: no warning', async ({ api }) => {
    seedSnapshots(api)
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools)
    expect(summaryOf(step, 'warning')).toEqual([])
  })

  test("an API that keeps answering 503: retried, then the step fails naming the status and the API's message", async ({
    api
  }) => {
    seedSnapshots(api)
    api.emulator.inject(
      'GET /snapshots/',
      ...Array.from({ length: 8 }, (): Fault => ({
        kind: 'status',
        status: 503,
        body: { detail: 'Down for maintenance.' }
      }))
    )
    const step = api.step()
    const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
    expect(error).toBe('HTTP 503 from GET /snapshots/: Down for maintenance.')
    // Five attempts in all: the first and four retries.
    expect(api.requests()).toEqual(Array.from({ length: 5 }, () => 'GET /snapshots/'))
    expect(outputsOf(step)).not.toHaveProperty('count')
  })

  test.for([
    ['HTTP 408', { kind: 'status', status: 408 }],
    ['HTTP 429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
    ['HTTP 500', { kind: 'status', status: 500 }],
    ["a proxy's HTML 502 page", { kind: 'html', status: 502 }],
    ['HTTP 504', { kind: 'status', status: 504 }],
    ['a connection reset before the answer', { kind: 'reset-before' }],
    ['a connection reset after the answer was made', { kind: 'reset-after' }]
  ] as const)('a page answered with %s is asked for again: the whole list', async ([, fault], { api }) => {
    seedSnapshots(api)
    api.emulator.inject('GET /snapshots/', fault)
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools)
    expect(api.requests()).toEqual([
      'GET /snapshots/',
      'GET /snapshots/',
      'GET /snapshots/?page=2',
      'GET /snapshots/?page=3'
    ])
    expect(outputsOf(step).count).toBe('7')
    expect(items(step)).toHaveLength(7)
  })

  test.for([400, 403, 404])(
    "a page answered %i is final: one request, the step fails with the API's message",
    async (status, { api }) => {
      api.emulator.inject('GET /snapshots/', { kind: 'status', status, body: { detail: `Refused with ${status}.` } })
      const step = api.step()
      const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
      // A list always exists: its 404 points at api_url; a 403 at the token.
      const cause =
        {
          400: '',
          403: ' Check input "api_token": the API refused it (a token without the permission for this request).',
          404: ' Check input "api_url": no path of the API answers there.'
        }[status] ?? ''
      const from = status === 404 ? `${api.emulator.url}/snapshots/` : '/snapshots/'
      expect(error).toBe(`HTTP ${status} from GET ${from}: Refused with ${status}.${cause}`)
      expect(api.requests()).toEqual(['GET /snapshots/'])
    }
  )

  test('an answer cut in half: the status, the endpoint and an excerpt; not asked again', async ({ api }) => {
    api.emulator.addSnapshot({ serverId: WEB, name: 'a-name-long-enough-to-cut' })
    api.emulator.inject('GET /snapshots/', { kind: 'truncated-json' })
    const step = api.step()
    const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
    expect(error).toMatch(/^HTTP 200 from GET \/snapshots\/: an answer that is not JSON \(application\/json\): ".+"$/)
    expect(api.requests()).toEqual(['GET /snapshots/'])
  })

  test('an API that never answers: the step fails within its timeout', async ({ api }) => {
    api.emulator.inject('GET /snapshots/', ...Array.from({ length: 5 }, (): Fault => ({ kind: 'hang' })))
    // The request's own cut-off runs on real time: a short timeout keeps the test short.
    const step = api.step({ timeoutMs: 1_000 })
    const started = performance.now()
    const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
    expect(error).toMatch(/^no answer from GET \/snapshots\/: /)
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  test("a wrong token: the API's 401, and no count", async ({ api }) => {
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
    expect(error).toBe(
      'HTTP 401 from GET /snapshots/: Invalid token. Check input "api_token": the API did not accept it.'
    )
    expect(outputsOf(step)).toEqual({})
  })

  test('a redirect is not followed: the step fails naming where to, and that place receives nothing', async ({
    api
  }) => {
    const elsewhere = await startRecorder(() => ({ count: 0, results: [] }))
    try {
      const location = `${elsewhere.origin}/api/v1/snapshots/`
      api.emulator.inject('GET /snapshots/', { kind: 'redirect', location })
      const step = api.step()
      const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
      expect(error).toBe(
        `HTTP 307 from GET /snapshots/: the API redirected to ${location}; redirects are not followed, check api_url`
      )
      expect(elsewhere.received).toEqual([])
    } finally {
      await elsewhere.close()
    }
  })

  test('a next page on another origin is not followed: the step fails naming it, and it receives nothing (not even the token)', async ({
    api
  }) => {
    const elsewhere = await startRecorder(() => ({ count: 0, results: [] }))
    const lying = await startRecorder(() => ({
      count: 10,
      results: [],
      next: `${elsewhere.origin}/api/v1/snapshots/?page=2`
    }))
    try {
      const step = api.step({ apiUrl: new URL(`${lying.origin}/api/v1`) })
      const error = await failureOf(LIST_SNAPSHOTS.run({ ...step.settings, ...ALL }, step.tools))
      expect(error).toBe(
        `HTTP 200 from GET /snapshots/: the next page is on another origin (${elsewhere.origin}); not followed`
      )
      expect(lying.received).toHaveLength(1)
      expect(elsewhere.received).toEqual([])
    } finally {
      await Promise.all([lying.close(), elsewhere.close()])
    }
  })
})

describe('list-backups', () => {
  test('every page of every server and type, newest first', async ({ api }) => {
    seedBackups(api)
    const step = api.step()
    await LIST_BACKUPS.run({ ...step.settings, ...ALL }, step.tools)
    expect(api.requests()).toEqual(['GET /backups/', 'GET /backups/?page=2', 'GET /backups/?page=3'])
    const order = ['manual 5', 'manual 15', 'automatic 25', 'manual 35', 'automatic 45', 'manual 50', 'manual 55']
    expect(items(step)).toEqual(inOrder(api.emulator.backups(), backup => backup.description, order))
    expect(outputsOf(step).count).toBe('7')
    expect(tableOf(step, 'description')).toEqual(order)
    expect(summaryOf(step)).toEqual(['Found 7 backups.'])
  })

  test('server_id and backup_type manual filter every page', async ({ api }) => {
    seedBackups(api)
    const step = api.step()
    await LIST_BACKUPS.run({ ...step.settings, serverIds: [WEB], maxParallel: 4, backupType: 'manual' }, step.tools)
    expect(api.requests()).toEqual([
      `GET /backups/?server_id=${WEB}&backup_type=manual`,
      `GET /backups/?server_id=${WEB}&backup_type=manual&page=2`
    ])
    const listed = items<Backup>(step)
    expect(listed.map(backup => backup.description)).toEqual(['manual 15', 'manual 35', 'manual 50', 'manual 55'])
    expect(outputsOf(step)).toMatchObject({ count: '4', server_id: String(WEB) })
    expect(summaryOf(step)).toEqual([`Found 4 manual backups on server ${WEB}.`])
  })

  test('backup_type automatic alone', async ({ api }) => {
    seedBackups(api)
    const step = api.step()
    await LIST_BACKUPS.run(
      { ...step.settings, serverIds: undefined, maxParallel: 4, backupType: 'automatic' },
      step.tools
    )
    expect(api.requests()).toEqual(['GET /backups/?backup_type=automatic'])
    expect(items<Backup>(step).map(backup => backup.description)).toEqual(['automatic 25', 'automatic 45'])
    expect(outputsOf(step).count).toBe('2')
    expect(summaryOf(step)).toEqual(['Found 2 automatic backups.'])
  })

  test('an empty list: count 0 and []', async ({ api }) => {
    seedBackups(api)
    const step = api.step()
    await LIST_BACKUPS.run({ ...step.settings, serverIds: [DB], maxParallel: 4, backupType: 'automatic' }, step.tools)
    expect(outputsOf(step)).toMatchObject({ count: '0', items: '[]' })
  })

  test('items that would not fit: the warning says to filter by server_id or backup_type', async ({ api }) => {
    const description = 'x'.repeat(20_000)
    for (let n = 0; n < 30; n++)
      api.emulator.addBackup({ serverId: WEB, description, createdAt: minutesAgo(api, 600 - n) })
    const step = api.step()
    await LIST_BACKUPS.run({ ...step.settings, ...ALL }, step.tools)
    const kept = items<Backup>(step)
    expect(kept.length).toBeLessThan(30)
    expect(outputsOf(step).count).toBe('30')
    expect(summaryOf(step, 'warning')).toEqual([
      expect.stringContaining(`${30 - kept.length} older ones were left out`)
    ])
    expect(summaryOf(step, 'warning')[0]).toContain('backup_type')
  })

  test("a proxy's HTML 502 page on every request: retried, then the status and a short excerpt of the page", async ({
    api
  }) => {
    api.emulator.inject('GET /backups/', ...Array.from({ length: 5 }, (): Fault => ({ kind: 'html', status: 502 })))
    const step = api.step()
    const error = await failureOf(LIST_BACKUPS.run({ ...step.settings, ...ALL }, step.tools))
    expect(error).toMatch(
      /^HTTP 502 from GET \/backups\/: an answer that is not JSON \(text\/html\): ".*502 Bad Gateway.*"$/
    )
    expect(error).not.toMatch(/<\/?[a-z]+[^>]*>/i)
    expect(api.requests()).toHaveLength(5)
  })
})

interface Recorder {
  origin: string
  received: Array<{ url: string; authorization: string | undefined }>
  close(): Promise<void>
}

/** A bare HTTP server that answers every request with `body()` and records what it received. */
async function startRecorder(body: () => unknown): Promise<Recorder> {
  const received: Recorder['received'] = []
  const server: Server = createServer((request: IncomingMessage, response) => {
    received.push({ url: request.url ?? '', authorization: request.headers.authorization })
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body()))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
