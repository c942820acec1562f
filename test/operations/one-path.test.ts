// One server is a fleet of one: the same path, typed results, and failures that stay with the
// server where they happen. In-process against the emulator; each test is one finding of the
// review that rebuilt the fleet path, and failed before it.
import { Agent } from 'undici'
import { describe, expect, vi } from 'vitest'
import { REAL_CLOCK } from '../../src/clock.ts'
import { connect } from '../../src/compose.ts'
import { CREATE_SNAPSHOT } from '../../src/operations/create.ts'
import { LIST_SNAPSHOTS } from '../../src/operations/list.ts'
import { RESTORE_SNAPSHOT } from '../../src/operations/restore.ts'
import { WAIT_SNAPSHOT } from '../../src/operations/wait.ts'
import { Recorder } from '../../src/report.ts'
import { DEFAULT_TOKEN, fleetServers, startEmulator, type Emulator } from '../emulator/server.ts'
import { createSettings, failureOf, outputsOf, test, type Api, type Step } from '../support/in-process.ts'
import { createSnapshot } from '../support/one-server.ts'

function addFleet(api: Api, ids: number[]): void {
  for (const id of ids) api.emulator.addServer({ id, name: `web-${id}` })
}

function resultsOf(step: Step): Array<Record<string, unknown>> {
  return JSON.parse(outputsOf(step).results ?? '[]') as Array<Record<string, unknown>>
}

/** The step's own lines, outside every server's block. */
function topLevel(step: Step): string[] {
  return step.recorder.log.flatMap(line => (line.level === 'info' ? [line.text] : []))
}

function block(step: Step, serverId: number): string {
  return JSON.stringify(
    step.recorder.log.find(line => line.level === 'group' && line.title.startsWith(`Server ${serverId}:`))
  )
}

describe('a lone server has its results, error included', () => {
  test('a create on a server that does not exist writes its row with the error', async ({ api }) => {
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings({ serverId: 99 }) }, step.tools))
    expect(error).toBe(
      `HTTP 404 from POST ${api.emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
    )
    expect(resultsOf(step)).toEqual([{ server_id: 99, error }])
    expect(outputsOf(step).server_id).toBe('99')
  })

  test('a snapshot that ends failed writes its row, its status and the error', async ({ api }) => {
    api.emulator.failNextJob('snapshot', 'failed')
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
    const [snapshot] = api.emulator.snapshots(12345)
    expect(error).toBe(`snapshot ${snapshot?.id} ended with status "failed"`)
    expect(resultsOf(step)).toEqual([
      expect.objectContaining({ server_id: 12345, snapshot_id: snapshot?.id, status: 'failed', error })
    ])
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(snapshot?.id), status: 'failed' })
  })
})

describe('results follow the order server_id gave', () => {
  test('wait-snapshot of 103, 101, 102 answers 103, 101, 102', async ({ api }) => {
    addFleet(api, [101, 102, 103])
    const ids = new Map([101, 102, 103].map(id => [id, api.emulator.addSnapshot({ serverId: id, name: `s-${id}` }).id]))
    const step = api.step()
    await WAIT_SNAPSHOT.run(
      { ...step.settings, serverIds: [103, 101, 102], ids, maxParallel: 4, rollbackOnFailure: false },
      step.tools
    )
    expect(resultsOf(step).map(row => row.server_id)).toEqual([103, 101, 102])
  })
})

describe('a failure stays with its server', () => {
  test('list-snapshots of three servers, one refused: every row, the refused one with its error, the others counted', async ({
    api
  }) => {
    addFleet(api, [101, 102, 103])
    api.emulator.addSnapshot({ serverId: 101, name: 'a' })
    api.emulator.addSnapshot({ serverId: 103, name: 'b' })
    api.emulator.injectFor('GET /snapshots/', 102, { kind: 'status', status: 403 })
    const step = api.step()
    const error = await failureOf(
      LIST_SNAPSHOTS.run({ ...step.settings, serverIds: [101, 102, 103], maxParallel: 2 }, step.tools)
    )
    const refused =
      'HTTP 403 from GET /snapshots/?server_id=102: Forbidden. Check input "api_token": the API refused it (a token without the permission for this request).'
    expect(error).toBe(`1 of 3 servers failed: server 102: ${refused}`)
    expect(resultsOf(step)).toEqual([
      { server_id: 101, count: 1 },
      { server_id: 102, error: refused },
      { server_id: 103, count: 1 }
    ])
    expect(outputsOf(step).count).toBe('2')
  })

  test("one server's own status read failing fails that server alone; the others complete", async ({ api }) => {
    const fleet = [101, 103, 105, 115, 118, 120, 122]
    addFleet(api, fleet)
    // Enough items that a read per server is cheaper than the whole list: each server reads its own.
    for (const id of fleet)
      for (let n = 0; n < 2; n++) api.emulator.addSnapshot({ serverId: id, name: `old-${id}-${n}` })
    const ids = await started(api, fleet)
    api.emulator.injectFor('GET /snapshots/', 122, { kind: 'status', status: 404 })
    const step = api.step()
    const error = await failureOf(
      WAIT_SNAPSHOT.run(
        { ...step.settings, serverIds: fleet, ids, maxParallel: 7, rollbackOnFailure: false },
        step.tools
      )
    )
    const notFound = `HTTP 404 from GET ${api.emulator.url}/snapshots/?server_id=122: Not Found. Check input "api_url": no path of the API answers there.`
    expect(error).toBe(`1 of 7 servers failed: server 122: ${notFound}`)
    expect(resultsOf(step).map(row => [row.server_id, row.status ?? row.error])).toEqual(
      fleet.map(id => [id, id === 122 ? notFound : 'completed'])
    )
  })

  test('a shared whole-list read that fails falls back to each server its own read: no server fails', async ({
    api
  }) => {
    const fleet = [101, 102, 103]
    addFleet(api, fleet)
    const ids = await started(api, fleet)
    api.emulator.injectFor('GET /snapshots/', 'none', { kind: 'status', status: 403 })
    const step = api.step()
    await WAIT_SNAPSHOT.run(
      { ...step.settings, serverIds: fleet, ids, maxParallel: 3, rollbackOnFailure: false },
      step.tools
    )
    expect(resultsOf(step).map(row => row.status)).toEqual(['completed', 'completed', 'completed'])
    expect(api.requests()).toEqual(expect.arrayContaining(fleet.map(id => `GET /snapshots/?server_id=${id}`)))
    expect(api.emulator.requests.filter(request => request.fault !== undefined)).toHaveLength(1)
    expect(topLevel(step)).toContain(
      'The shared read of the snapshot list failed (HTTP 403 from GET /snapshots/: Forbidden. Check input "api_token": the API refused it (a token without the permission for this request).); each server reads its own.'
    )
  })

  test("a page carrying one server's malformed item fails that server alone", async ({ api }) => {
    const fleet = [101, 102, 103]
    addFleet(api, fleet)
    const ids = new Map(fleet.map(id => [id, api.emulator.addSnapshot({ serverId: id, name: `s-${id}` }).id]))
    const malformed = {
      count: 1,
      next: null,
      results: [{ id: ids.get(103), server: { id: 103 }, status: 'completed' }]
    }
    api.emulator.injectFor('GET /snapshots/', 'none', { kind: 'status', status: 200, body: malformed })
    api.emulator.injectFor('GET /snapshots/', 103, { kind: 'status', status: 200, body: malformed })
    const step = api.step()
    const error = await failureOf(
      WAIT_SNAPSHOT.run(
        { ...step.settings, serverIds: fleet, ids, maxParallel: 3, rollbackOnFailure: false },
        step.tools
      )
    )
    expect(error).toMatch(
      /^1 of 3 servers failed: server 103: HTTP 200 from GET \/snapshots\/\?server_id=103: unexpected answer/
    )
    expect(resultsOf(step).map(row => row.status ?? 'failed')).toEqual(['completed', 'completed', 'failed'])
  })
})

describe("each server's voice in its own block", () => {
  test("a retry of server 102's create is logged in its block, naming it, not at the top", async ({ api }) => {
    addFleet(api, [101, 102])
    api.emulator.injectFor('POST /snapshots/', 102, { kind: 'status', status: 503 })
    const step = api.step()
    await CREATE_SNAPSHOT.run(
      { ...step.settings, ...createSettings(), serverIds: [101, 102], maxParallel: 2 },
      step.tools
    )
    expect(block(step, 102)).toMatch(/Server 102: POST \/snapshots\/: HTTP 503; trying again in/)
    expect(block(step, 101)).not.toContain('trying again')
    expect(topLevel(step).filter(line => line.includes('trying again'))).toEqual([])
  })
})

describe('progress you can watch', () => {
  test('a fleet waiting 3 minutes prints one line for all at least every 30 s, outside the blocks', async ({ api }) => {
    addFleet(api, [101, 102, 103])
    const step = api.step()
    await CREATE_SNAPSHOT.run(
      { ...step.settings, ...createSettings(), serverIds: [101, 102, 103], maxParallel: 3 },
      step.tools
    )
    const lines = topLevel(step).filter(line => line.startsWith('3 servers, '))
    const elapsed = lines.map(line => seconds(/^3 servers, ([^:]+):/.exec(line)?.[1] ?? ''))
    // JOB_SECONDS is 180: at least six lines, none more than 30 s after the one before.
    expect(lines.length).toBeGreaterThanOrEqual(6)
    for (let index = 1; index < elapsed.length; index++)
      expect((elapsed[index] ?? 0) - (elapsed[index - 1] ?? 0)).toBeLessThanOrEqual(30)
    expect(lines.at(-1)).toMatch(/^3 servers, \d min \d+ s: 3 in progress \(101, 102, 103\)$/)
  })

  test('one server: its elapsed time and status', async ({ api }) => {
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings() }, step.tools)
    const lines = topLevel(step).filter(line => line.startsWith('Server 12345, '))
    expect(lines.length).toBeGreaterThanOrEqual(6)
    expect(lines.at(-1)).toMatch(/^Server 12345, \d min \d+ s: snapshot \d+ in progress$/)
  })
})

describe('a fleet restore finds every item before restoring any', () => {
  test('latest for 101 and 102, where 102 has none completed: no restore is sent, 102 is named, 101 is held back', async ({
    api
  }) => {
    addFleet(api, [101, 102])
    const kept = api.emulator.addSnapshot({ serverId: 101, name: 'pre-deploy' })
    api.emulator.addSnapshot({ serverId: 102, name: 'broken', status: 'failed' })
    const step = api.step()
    const error = await failureOf(
      RESTORE_SNAPSHOT.run(
        { ...step.settings, reference: { latest: true }, serverIds: [101, 102], maxParallel: 2, wait: true },
        step.tools
      )
    )
    expect(api.emulator.restores).toEqual([])
    expect(api.writes()).toEqual([])
    expect(error).toBe(
      '1 of 2 servers failed: server 102 has no completed snapshot to use as "latest" (1 snapshots in all); the others were not restored: no server is, unless every server\'s snapshot is found'
    )
    expect(resultsOf(step)).toEqual([
      {
        server_id: 101,
        snapshot_id: kept.id,
        snapshot_name: 'pre-deploy',
        size_mb: kept.size_mb,
        created_at: kept.created_at,
        error: "not restored: no server is, unless every server's snapshot is found"
      },
      { server_id: 102, error: 'server 102 has no completed snapshot to use as "latest" (1 snapshots in all)' }
    ])
  })
})

describe('requests that grow only where they must', () => {
  test('a 50-server create with keep 2: besides the POSTs and the DELETEs, at most 20 requests', async () => {
    // Real time, a tenth of the budget's scale (1 s jobs, 0.2 s poll_interval): the schedule of
    // checks has the same shape, and the 50 creates start together, as on a runner.
    const emulator = await startEmulator({ servers: fleetServers(50), jobSeconds: 1, pageSize: 100 })
    const clock = REAL_CLOCK
    const agent = new Agent()
    try {
      const fleet = fleetServers(50).map(server => server.id)
      for (const id of fleet)
        for (const hours of [2, 1])
          emulator.addSnapshot({
            serverId: id,
            name: `gha-old-${id}-${hours}`,
            createdAt: new Date(clock.now() - hours * 3_600_000).toISOString()
          })
      const settings = {
        apiUrl: new URL(emulator.url),
        apiToken: DEFAULT_TOKEN,
        timeoutMs: 60_000,
        pollIntervalMs: 200,
        dryRun: false
      }
      const tools = connect(settings, new Recorder(), { dispatcher: agent, clock })
      await CREATE_SNAPSHOT.run(
        { ...settings, ...createSettings({ keep: 2 }), serverIds: fleet, maxParallel: 50 },
        tools
      )
      const methods = emulator.requests.map(request => request.method)
      expect(methods.filter(method => method === 'POST')).toHaveLength(50)
      expect(methods.filter(method => method === 'DELETE')).toHaveLength(50)
      expect(methods.filter(method => method === 'GET').length).toBeLessThanOrEqual(20)
      // Every server was rotated: its older own snapshot went, the newer and the new one stayed.
      expect(fleet.map(id => emulator.snapshots(id).length)).toEqual(fleet.map(() => 2))
    } finally {
      await emulator.close()
      await agent.close()
    }
  })
})

describe('an unanswered restore', () => {
  test('says it may have been received and may be running, naming the restore, not a later read', async () => {
    const emulator = await startEmulator({ restoreSeconds: 1 })
    const agent = new Agent()
    try {
      const snapshot = emulator.addSnapshot({ serverId: 12345, name: 'pre-deploy' })
      emulator.inject('POST /snapshots/{id}/restore/', { kind: 'hang' })
      const settings = {
        apiUrl: new URL(emulator.url),
        apiToken: DEFAULT_TOKEN,
        timeoutMs: 1_500,
        pollIntervalMs: 200,
        dryRun: false
      }
      const tools = connect(settings, new Recorder(), { dispatcher: agent })
      const error = await failureOf(
        RESTORE_SNAPSHOT.run(
          { ...settings, reference: { id: snapshot.id }, serverIds: [12345], maxParallel: 1, wait: true },
          tools
        )
      )
      expect(error).toContain(`no answer from POST /snapshots/${snapshot.id}/restore/`)
      expect(error).toContain('the restore may have been received and may be running. It was not sent twice.')
      expect(error).not.toMatch(/GET \/servers\//)
    } finally {
      await emulator.close()
      await agent.close()
    }
  })
})

describe('one pause for every request', () => {
  test("a Retry-After holds a retry already scheduled after another server's plain 429", async () => {
    // Real time: the two 429s are answered together, the plain one's retry is due in 450 ms, the
    // Retry-After asks for 2 s. The retry must wait the 2 s out.
    const emulator = await startEmulator({ jobSeconds: 0.2, servers: fleetServers(2) })
    const agent = new Agent()
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.9)
    try {
      emulator.injectFor('POST /snapshots/', 101, { kind: 'status', status: 429 })
      emulator.injectFor('POST /snapshots/', 102, { kind: 'status', status: 429, headers: { 'retry-after': '2' } })
      const settings = {
        apiUrl: new URL(emulator.url),
        apiToken: DEFAULT_TOKEN,
        timeoutMs: 30_000,
        pollIntervalMs: 100,
        dryRun: false
      }
      const tools = connect(settings, new Recorder(), { dispatcher: agent })
      await CREATE_SNAPSHOT.run({ ...settings, ...createSettings(), serverIds: [101, 102], maxParallel: 2 }, tools)
      const refusal =
        emulator.requests.find(request => request.fault?.startsWith('429') && request.serverId === 102)?.at ?? Infinity
      const later = requestsAfter(emulator, refusal)
      expect(later.length).toBeGreaterThan(0)
      for (const request of later) expect(request.at - refusal).toBeGreaterThanOrEqual(1_950)
    } finally {
      random.mockRestore()
      await emulator.close()
      await agent.close()
    }
  })
})

describe('max_parallel counts what is really in flight', () => {
  test("with max_parallel 1, a server's requests all end before the next server's first", async ({ api }) => {
    const fleet = [101, 102, 103]
    addFleet(api, fleet)
    // The shared read fails, so each server reads its own list; 101's is refused.
    api.emulator.injectFor('GET /snapshots/', 'none', { kind: 'status', status: 403 })
    api.emulator.injectFor('GET /snapshots/', 101, { kind: 'status', status: 403 })
    const step = api.step()
    await failureOf(
      CREATE_SNAPSHOT.run({ ...step.settings, ...createSettings(), serverIds: fleet, maxParallel: 1 }, step.tools)
    )
    const order = api.emulator.requests.map(request => request.serverId).filter(serverId => serverId !== undefined)
    // Each server's requests form one run in the log: it ended before the next began.
    expect(order.filter((serverId, index) => serverId !== order[index - 1])).toEqual(fleet)
  })
})

/** Snapshots started on each server by an earlier step with `wait: false`: still in progress, each server's id. */
async function started(api: Api, fleet: number[]): Promise<Map<number, number>> {
  const step = api.step()
  await CREATE_SNAPSHOT.run(
    { ...step.settings, ...createSettings({ wait: false }), serverIds: fleet, maxParallel: fleet.length },
    step.tools
  )
  return new Map(
    fleet.map(id => [id, api.emulator.snapshots(id).find(snapshot => snapshot.status === 'in_progress')?.id ?? 0])
  )
}

function requestsAfter(emulator: Emulator, at: number) {
  return emulator.requests.filter(request => request.at > at)
}

/** `4 min 10 s`, `59 s`, `2.5 s` in seconds. */
function seconds(text: string): number {
  const minutes = /(\d+) min/.exec(text)?.[1]
  const rest = /([\d.]+) s/.exec(text)?.[1]
  return Number(minutes ?? 0) * 60 + Number(rest ?? 0)
}

describe('a dry run says what the real run would do', () => {
  test('a create with wait false and keep: no deletion planned, the skipped rotation said, as the real run does', async ({
    api
  }) => {
    for (const hours of [3, 2, 1])
      api.emulator.addSnapshot({
        serverId: 12345,
        name: `gha-old-${hours}`,
        createdAt: new Date(api.clock.now() - hours * 3_600_000).toISOString()
      })
    const dry = api.step({ dryRun: true })
    await createSnapshot({ ...dry.settings, ...createSettings({ keep: 2, wait: false }) }, dry.tools)
    expect(dry.recorder.outcome.planned.map(action => action.do)).toEqual(['create'])
    expect(dry.recorder.outcome.lines.filter(line => line.level === 'notice').map(line => line.text)).toEqual([
      'Server 12345: Dry run: the deletions after the create would be skipped: the new snapshot would not be completed yet (wait is false). Run prune-snapshots once it is.'
    ])
    const real = api.step()
    await createSnapshot({ ...real.settings, ...createSettings({ keep: 2, wait: false }) }, real.tools)
    expect(api.writes().filter(write => write.startsWith('DELETE'))).toEqual([])
  })
})
