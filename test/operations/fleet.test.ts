// Several servers in one step, in-process on a virtual clock: side by side but bounded, each
// server's log kept together, one budget and one status board for all, a failure that cancels
// nothing, and what the outputs and the summary say.
import { describe, expect, vi } from 'vitest'
import { CREATE_BACKUP, CREATE_SNAPSHOT } from '../../src/operations/create.ts'
import { LIST_SNAPSHOTS } from '../../src/operations/list.ts'
import { PRUNE_SNAPSHOTS } from '../../src/operations/prune.ts'
import { RESTORE_SNAPSHOT } from '../../src/operations/restore.ts'
import { WAIT_SNAPSHOT } from '../../src/operations/wait.ts'
import { Agent } from 'undici'
import { VpsClient } from '../../src/api/client.ts'
import { connect } from '../../src/compose.ts'
import { Recorder } from '../../src/report.ts'
import { DEFAULT_TOKEN, fleetServers, startEmulator } from '../emulator/server.ts'
import {
  createSettings,
  failureOf,
  outputsOf,
  rules,
  summaryOf,
  test,
  type Api,
  type Step
} from '../support/in-process.ts'

const FLEET = [101, 102, 103]

function addFleet(api: Api, ids: number[] = FLEET): void {
  for (const id of ids) api.emulator.addServer({ id, name: `web-${id}` })
}

function fleetCreate(step: Step, serverIds: number[], overrides: Parameters<typeof createSettings>[0] = {}) {
  return { ...step.settings, ...createSettings(overrides), serverIds, maxParallel: 4 }
}

/** The titles of the log's top-level groups: one block per server. */
function blocks(step: Step): string[] {
  return step.recorder.log.flatMap(line => (line.level === 'group' ? [line.title] : []))
}

describe('create-snapshot for a fleet', () => {
  test('makes one snapshot per server, side by side, and reports every server in results and snapshot_ids', async ({
    api
  }) => {
    addFleet(api)
    const step = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(step, FLEET), step.tools)
    const made = FLEET.map(id => api.emulator.snapshots(id))
    expect(made.map(list => list.length)).toEqual([1, 1, 1])
    const outputs = outputsOf(step)
    expect(JSON.parse(outputs.results ?? '')).toEqual(
      FLEET.map((serverId, index) => ({
        server_id: serverId,
        snapshot_id: made[index]?.[0]?.id,
        snapshot_name: made[index]?.[0]?.name,
        status: 'completed',
        size_mb: made[index]?.[0]?.size_mb,
        created_at: made[index]?.[0]?.created_at
      }))
    )
    expect(JSON.parse(outputs.snapshot_ids ?? '')).toEqual(
      Object.fromEntries(FLEET.map((serverId, index) => [String(serverId), made[index]?.[0]?.id]))
    )
    // With several servers, the single-value outputs are left to results.
    expect(outputs).not.toHaveProperty('snapshot_id')
    expect(outputs).not.toHaveProperty('status')
    // One block per server, printed as each ends.
    expect(blocks(step).sort()).toEqual(
      FLEET.map((id, index) =>
        expect.stringMatching(new RegExp(`^Server ${id}: snapshot ${made[index]?.[0]?.id} completed, `))
      )
    )
    expect(step.recorder.outcome.servers?.results.map(row => row.serverId)).toEqual(FLEET)
  })

  test("keeps each server's lines in its own block", async ({ api }) => {
    addFleet(api)
    const step = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(step, FLEET), step.tools)
    for (const title of blocks(step)) {
      const server = Number(/^Server (\d+)/.exec(title)?.[1])
      const text = JSON.stringify(step.recorder.log.find(line => line.level === 'group' && line.title === title))
      expect(text).toContain(`of server ${server}.`)
      for (const other of FLEET.filter(id => id !== server)) expect(text).not.toContain(`server ${other}`)
    }
  })

  test('one server failing cancels nothing: the others are made, then the step fails naming it and why', async ({
    api
  }) => {
    addFleet(api, [101, 103])
    const step = api.step()
    const error = await failureOf(
      CREATE_SNAPSHOT.run(fleetCreate(step, [101, 102, 103], { rollbackOnFailure: true }), step.tools)
    )
    // No read of the servers first: the POST's own 404 says the server is missing.
    expect(error).toBe(
      `1 of 3 servers failed: server 102: HTTP 404 from POST ${api.emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
    )
    expect(api.emulator.snapshots(101)).toHaveLength(1)
    expect(api.emulator.snapshots(103)).toHaveLength(1)
    const results = JSON.parse(outputsOf(step).results ?? '') as Array<Record<string, unknown>>
    expect(results.map(row => [row.server_id, row.status ?? null, row.error ?? null])).toEqual([
      [101, 'completed', null],
      [
        102,
        null,
        `HTTP 404 from POST ${api.emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
      ],
      [103, 'completed', null]
    ])
    expect(Object.keys(JSON.parse(outputsOf(step).snapshot_ids ?? '{}') as object)).toEqual(['101', '103'])
  })

  test('works on at most max_parallel servers at once', async ({ api }) => {
    const fleet = [101, 102, 103, 104, 105]
    addFleet(api, fleet)
    const step = api.step()
    await CREATE_SNAPSHOT.run({ ...fleetCreate(step, fleet), maxParallel: 2 }, step.tools)
    const rows = step.recorder.outcome.servers?.results ?? []
    // At any moment, how many servers were being worked on.
    const busiest = Math.max(
      ...rows.map(row => rows.filter(other => other.startedAt <= row.startedAt && row.startedAt < other.endedAt).length)
    )
    expect(busiest).toBe(2)
    expect(fleet.map(id => api.emulator.snapshots(id).length)).toEqual([1, 1, 1, 1, 1])
  })

  test('its status checks are shared: one read of the list per check for every server waiting', async () => {
    // On the real clock: the servers' waits meet at the same checks as they do on a runner.
    const emulator = await startEmulator({ jobSeconds: 1.2, pageSize: 100, servers: fleetServers(10) })
    const agent = new Agent()
    try {
      const tools = connect(
        { apiUrl: new URL(emulator.url), apiToken: DEFAULT_TOKEN, timeoutMs: 60_000, pollIntervalMs: 200 },
        new Recorder(),
        {
          dispatcher: agent
        }
      )
      const settings = {
        ...createSettings(),
        apiUrl: new URL(emulator.url),
        apiToken: DEFAULT_TOKEN,
        timeoutMs: 60_000,
        pollIntervalMs: 200,
        dryRun: false
      }
      await CREATE_SNAPSHOT.run(
        { ...settings, serverIds: fleetServers(10).map(server => server.id), maxParallel: 10 },
        tools
      )
      const firstPost = emulator.requests.findIndex(request => request.method === 'POST')
      const lastPost = emulator.requests.findLastIndex(request => request.method === 'POST')
      const isListRead = (request: (typeof emulator.requests)[number]) =>
        request.method === 'GET' && request.path.endsWith('/snapshots/')
      const planning = emulator.requests.slice(0, firstPost).filter(isListRead)
      const checks = emulator.requests.slice(lastPost + 1).filter(isListRead)
      // The whole list is one page, fewer than the servers: one read of it plans every server,
      // then every check is one read of the whole list; no server reads its own.
      expect(planning.map(request => request.query.server_id)).toEqual([undefined])
      expect(emulator.requests.filter(request => isListRead(request) && request.query.server_id !== undefined)).toEqual(
        []
      )
      expect(checks.length).toBeGreaterThan(2)
      expect(checks.length).toBeLessThanOrEqual(12)
      expect(fleetServers(10).map(server => emulator.snapshots(server.id).length)).toEqual(
        Array.from({ length: 10 }, () => 1)
      )
    } finally {
      await emulator.close()
      await agent.close()
    }
  })

  test("a Retry-After pauses every server's requests, not only the one that was told", async ({ api }) => {
    addFleet(api)
    api.emulator.inject('POST /snapshots/', { kind: 'status', status: 429, headers: { 'retry-after': '30' } })
    const step = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(step, FLEET), step.tools)
    const posts = api.emulator.requests.filter(request => request.method === 'POST').map(request => request.at)
    const refusedAt = posts[0] ?? 0
    // Every create sent after the refusal waited out the 30 s it asked for.
    const later = posts.slice(1).filter(at => at > refusedAt)
    expect(later.length).toBeGreaterThan(0)
    for (const at of later) expect(at - refusedAt).toBeGreaterThanOrEqual(30_000)
    expect(FLEET.map(id => api.emulator.snapshots(id).length)).toEqual([1, 1, 1])
  })

  test('arms the rollback of every server, each with its own completed snapshot', async ({ api }) => {
    addFleet(api)
    const step = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(step, FLEET, { rollbackOnFailure: true }), step.tools)
    expect(step.armed.map(target => [target.serverId, target.id]).sort()).toEqual(
      FLEET.map(id => [id, api.emulator.snapshots(id)[0]?.id])
    )
  })

  test("create-backup too: backup_ids names each server's backup", async ({ api }) => {
    addFleet(api)
    const step = api.step()
    await CREATE_BACKUP.run(fleetCreate(step, FLEET, { name: undefined }), step.tools)
    expect(JSON.parse(outputsOf(step).backup_ids ?? '')).toEqual(
      Object.fromEntries(FLEET.map(id => [String(id), api.emulator.backups(id)[0]?.id]))
    )
  })
})

describe('the other operations for a fleet', () => {
  test('restore-snapshot from the snapshot_ids of a create restores each server from its own snapshot', async ({
    api
  }) => {
    addFleet(api)
    const made = Object.fromEntries(
      FLEET.map(id => [id, api.emulator.addSnapshot({ serverId: id, name: `pre-${id}` }).id])
    )
    // A newer snapshot on each server: the map, not "latest", decides.
    for (const id of FLEET)
      api.emulator.addSnapshot({
        serverId: id,
        name: `newer-${id}`,
        createdAt: new Date(api.clock.now() + 60_000).toISOString()
      })
    const step = api.step()
    await RESTORE_SNAPSHOT.run(
      {
        ...step.settings,
        reference: { byServer: new Map(FLEET.map(id => [id, made[id] ?? 0])) },
        serverIds: FLEET,
        maxParallel: 4,
        wait: true
      },
      step.tools
    )
    expect(api.emulator.restores.map(restore => [restore.serverId, restore.from.id]).sort()).toEqual(
      FLEET.map(id => [id, made[id]])
    )
    expect(FLEET.map(id => api.emulator.server(id)?.status)).toEqual(['running', 'running', 'running'])
    expect(JSON.parse(outputsOf(step).snapshot_ids ?? '')).toEqual(
      Object.fromEntries(FLEET.map(id => [String(id), made[id]]))
    )
    // Each block says what was restored and that the server, not the snapshot, is running.
    expect(blocks(step).sort()).toEqual(
      FLEET.map(id =>
        expect.stringMatching(new RegExp(`^Server ${id}: restore from snapshot ${made[id]}, server running, `))
      )
    )
  })

  test('restore-snapshot latest restores each server from its own newest', async ({ api }) => {
    addFleet(api)
    const newest = Object.fromEntries(
      FLEET.map(id => [id, api.emulator.addSnapshot({ serverId: id, name: `n-${id}` }).id])
    )
    const step = api.step()
    await RESTORE_SNAPSHOT.run(
      { ...step.settings, reference: { latest: true }, serverIds: FLEET, maxParallel: 4, wait: false },
      step.tools
    )
    expect(api.emulator.restores.map(restore => [restore.serverId, restore.from.id]).sort()).toEqual(
      FLEET.map(id => [id, newest[id]])
    )
  })

  test("wait-snapshot with a map waits for each server's own snapshot and arms each", async ({ api }) => {
    addFleet(api)
    const started = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(started, FLEET, { wait: false }), started.tools)
    const ids = JSON.parse(outputsOf(started).snapshot_ids ?? '') as Record<string, number>
    const step = api.step()
    await WAIT_SNAPSHOT.run(
      {
        ...step.settings,
        serverIds: FLEET,
        ids: new Map(Object.entries(ids).map(([server, id]) => [Number(server), id])),
        maxParallel: 4,
        rollbackOnFailure: true
      },
      step.tools
    )
    expect(JSON.parse(outputsOf(step).results ?? '').map((row: { status: string }) => row.status)).toEqual([
      'completed',
      'completed',
      'completed'
    ])
    expect(step.armed.map(target => target.id).sort()).toEqual(Object.values(ids).sort())
  })

  test('prune-snapshots prunes each server, and deleted_ids has them all', async ({ api }) => {
    addFleet(api)
    const old = FLEET.map(
      id =>
        api.emulator.addSnapshot({
          serverId: id,
          name: `gha-old-${id}`,
          createdAt: new Date(api.clock.now() - 7_200_000).toISOString()
        }).id
    )
    for (const id of FLEET)
      api.emulator.addSnapshot({
        serverId: id,
        name: `gha-new-${id}`,
        createdAt: new Date(api.clock.now() - 3_600_000).toISOString()
      })
    const step = api.step()
    await PRUNE_SNAPSHOTS.run(
      { ...step.settings, serverIds: FLEET, maxParallel: 4, ...rules({ keep: 1 }), namePrefix: 'gha-' },
      step.tools
    )
    expect(JSON.parse(outputsOf(step).deleted_ids ?? '').sort()).toEqual(old.sort())
  })

  test('list-snapshots of several servers reads at most max_parallel lists at once', async ({ api }) => {
    const fleet = [101, 102, 103, 104, 105]
    addFleet(api, fleet)
    const step = api.step()
    // Each server reads through a client of its own (its retries in its own block): count them all.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each client as `this`
    const list = VpsClient.prototype.listSnapshots
    let reading = 0
    let busiest = 0
    const spy = vi.spyOn(VpsClient.prototype, 'listSnapshots').mockImplementation(async function (
      this: VpsClient,
      serverId
    ) {
      busiest = Math.max(busiest, ++reading)
      try {
        return await list.call(this, serverId)
      } finally {
        reading--
      }
    })
    try {
      await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: fleet, maxParallel: 2 }, step.tools)
    } finally {
      spy.mockRestore()
    }
    expect(busiest).toBe(2)
    expect(
      api
        .requests()
        .filter(request => request.startsWith('GET /snapshots/'))
        .sort()
    ).toEqual(fleet.map(id => `GET /snapshots/?server_id=${id}`))
    expect(JSON.parse(outputsOf(step).results ?? '')).toEqual(fleet.map(id => ({ server_id: id, count: 0 })))
  })

  test('list-snapshots of several servers: every one of them, and a count for each in results', async ({ api }) => {
    addFleet(api)
    for (const id of FLEET)
      for (let n = 0; n < id - 100; n++) api.emulator.addSnapshot({ serverId: id, name: `s-${id}-${n}` })
    const step = api.step()
    await LIST_SNAPSHOTS.run({ ...step.settings, serverIds: FLEET, maxParallel: 4 }, step.tools)
    expect(outputsOf(step).count).toBe('6')
    expect(JSON.parse(outputsOf(step).results ?? '')).toEqual([
      { server_id: 101, count: 1 },
      { server_id: 102, count: 2 },
      { server_id: 103, count: 3 }
    ])
    expect(summaryOf(step)).toEqual(['Found 6 snapshots on servers 101, 102, 103.'])
  })
})

describe('one server', () => {
  test('is a fleet of one: one block of the log, one row of the servers table, the single-value outputs set, and results beside them', async ({
    api
  }) => {
    addFleet(api, [101])
    const step = api.step()
    await CREATE_SNAPSHOT.run(fleetCreate(step, [101]), step.tools)
    const [snapshot] = api.emulator.snapshots(101)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(snapshot?.id), status: 'completed', server_id: '101' })
    expect(JSON.parse(outputsOf(step).snapshot_ids ?? '')).toEqual({ 101: snapshot?.id })
    expect(JSON.parse(outputsOf(step).results ?? '')).toEqual([
      {
        server_id: 101,
        snapshot_id: snapshot?.id,
        snapshot_name: snapshot?.name,
        size_mb: snapshot?.size_mb,
        created_at: snapshot?.created_at,
        status: 'completed'
      }
    ])
    // Its one block, titled as it ended, holds what used to be the step's own lines: the wait among them.
    expect(blocks(step)).toEqual([
      expect.stringMatching(new RegExp(`^Server 101: snapshot ${snapshot?.id} completed, `))
    ])
    const block = step.recorder.log.find(line => line.level === 'group')
    expect(
      block?.level === 'group' ? block.lines.filter(line => line.level === 'group').map(line => line.title) : []
    ).toEqual([`Waiting for snapshot ${snapshot?.id}`])
    expect(step.recorder.outcome.servers?.results.map(row => row.serverId)).toEqual([101])
    expect(step.recorder.outcome.servers?.statusOf).toBe('item')
  })
})
