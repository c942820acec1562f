// restore-snapshot and restore-backup, in-process against the emulator on a virtual clock: which
// item is restored from, what is refused before any restore is sent, the wait until the server is
// at rest again, and a restore whose answer is lost, which is watched for and never sent twice.
//
// The emulator may report a restore in several phases (stopping, restoring, starting): these
// tests never assert an intermediate status unless they set it themselves.
import { describe, expect } from 'vitest'
import type { CommonSettings } from '../../src/inputs.ts'
import {
  restoreBackup,
  restoreSnapshot,
  type RestoreBackupSettings,
  type RestoreSnapshotSettings
} from '../support/one-server.ts'
import type { Backup, Snapshot } from '../../src/api/types.ts'
import type { Fault } from '../emulator/server.ts'
import {
  DB,
  RESTORE_SECONDS,
  WEB,
  failureOf,
  logOf,
  outputsOf,
  summaryOf,
  test,
  type Api,
  type Step
} from '../support/in-process.ts'

const MINUTE = 60_000
/** What a server may report while a restore it accepted is still under way. */
const UNDER_WAY = /^(stopping|restoring|starting)$/

function minutesAgo(api: Api, minutes: number): string {
  return new Date(api.clock.now() - minutes * MINUTE).toISOString()
}

/**
 * Snapshots of both servers whose creation times do not follow their ids, so that a choice by id
 * and a choice by time differ.
 */
function seedSnapshots(api: Api) {
  const add = (serverId: number, name: string, minutes: number, status?: string) =>
    api.emulator.addSnapshot({ serverId, name, createdAt: minutesAgo(api, minutes), ...(status ? { status } : {}) })
  return {
    nightlyOld: add(WEB, 'nightly', 300),
    nightlyNew: add(WEB, 'nightly', 200),
    // The newest of WEB, but not restorable.
    nightlyRunning: add(WEB, 'nightly', 1, 'in_progress'),
    preDeploy: add(WEB, 'pre-deploy', 100),
    // Older than preDeploy, with a higher id.
    early: add(WEB, 'early', 400),
    // Newer than anything on WEB, but another server's.
    database: add(DB, 'nightly', 0.5)
  }
}

function seedBackups(api: Api) {
  const add = (
    serverId: number,
    minutes: number,
    fields: { backupType?: 'manual' | 'automatic'; description?: string; status?: string } = {}
  ) => api.emulator.addBackup({ serverId, createdAt: minutesAgo(api, minutes), ...fields })
  return {
    manualOld: add(WEB, 300, { description: 'gha-old' }),
    // The newest completed backup of WEB is an automatic one.
    automatic: add(WEB, 60, { backupType: 'automatic' }),
    manualOlder: add(WEB, 120, { description: 'by hand' }),
    running: add(WEB, 1, { status: 'in_progress' }),
    database: add(DB, 0.5)
  }
}

function snapshotSettings(
  step: Step,
  settings: Partial<RestoreSnapshotSettings> & Pick<RestoreSnapshotSettings, 'snapshot'>
): CommonSettings & RestoreSnapshotSettings {
  return { ...step.settings, serverId: WEB, wait: true, ...settings }
}

function backupSettings(
  step: Step,
  settings: Partial<RestoreBackupSettings> & Pick<RestoreBackupSettings, 'backup'>
): CommonSettings & RestoreBackupSettings {
  return { ...step.settings, serverId: WEB, wait: true, ...settings }
}

/** The restore requests sent, of either kind. */
function restores(api: Api): string[] {
  return api.writes().filter(write => write.endsWith('/restore/'))
}

/** The emulator's clock when the first request matching `line` was received. */
function receivedAt(api: Api, line: string): number {
  const index = api.requests().indexOf(line)
  if (index === -1) throw new Error(`no request ${line}`)
  return api.emulator.requests[index]?.at ?? 0
}

/**
 * A restore's outputs for one server: the single values (what it restored from, the server, the
 * server's status), and beside them its row of `results` and its id in `snapshot_ids` or
 * `backup_ids`, all from the item as seeded.
 */
function expectRestoreOutputs(
  step: Step,
  item: Snapshot | Backup,
  serverId: number,
  status: string,
  error?: string
): void {
  const kind = 'name' in item ? 'snapshot' : 'backup'
  const { results, [`${kind}_ids`]: ids, ...single } = outputsOf(step)
  expect(single).toEqual({ [`${kind}_id`]: String(item.id), server_id: String(serverId), status })
  expect(JSON.parse(ids ?? '')).toEqual({ [serverId]: item.id })
  expect(JSON.parse(results ?? '')).toEqual([
    {
      server_id: serverId,
      [`${kind}_id`]: item.id,
      ...('name' in item ? { snapshot_name: item.name } : {}),
      size_mb: item.size_mb,
      created_at: item.created_at,
      status,
      ...(error === undefined ? {} : { error })
    }
  ])
}

/** What the step told of the restore itself, in the server's block of the log: its start and its end. */
function restoreNotes(step: Step, serverId = WEB): string[] {
  return logOf(step).filter(
    line => line.startsWith(`Restoring server ${serverId} `) || line.startsWith(`Server ${serverId} is `)
  )
}

/** How many times the server was read after the restore was sent: the wait's status checks. */
function serverChecks(api: Api, serverId = WEB): number {
  const sent = api.requests().findIndex(request => request.endsWith('/restore/'))
  return api
    .requests()
    .slice(sent + 1)
    .filter(request => request === `GET /servers/${serverId}/`).length
}

describe('restore-snapshot', () => {
  test('by id: restores the server from it and waits until the server is running again', async ({ api }) => {
    const { preDeploy } = seedSnapshots(api)
    const step = api.step()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
    const restore = `POST /snapshots/${preDeploy.id}/restore/`
    expect(api.writes()).toEqual([restore])
    // After the restore, only the server is read, until it is at rest: that took the whole restore.
    const after = api.requests().slice(api.requests().indexOf(restore) + 1)
    expect(new Set(after)).toEqual(new Set([`GET /servers/${WEB}/`]))
    expect(api.clock.now() - receivedAt(api, restore)).toBeGreaterThanOrEqual(RESTORE_SECONDS * 1000)
    expect(api.emulator.server(WEB)?.status).toBe('running')
    expectRestoreOutputs(step, preDeploy, WEB, 'running')
    // Told in the server's block of the log, titled with what it restored from and how the server ended.
    expect(restoreNotes(step)).toEqual([
      `Restoring server ${WEB} from snapshot ${preDeploy.id} "pre-deploy" of ${preDeploy.created_at}: Server is being restored from snapshot. This may take 5-15 minutes.`,
      `Server ${WEB} is running again after the restore.`
    ])
    expect(logOf(step)).toContainEqual(
      expect.stringMatching(new RegExp(`^▸ Server ${WEB}: restore from snapshot ${preDeploy.id}, server running, \\d`))
    )
    expect(summaryOf(step)).toEqual([])
    expect(step.armed).toEqual([])
  })

  test("logs the wait: the server's status and the time waited", async ({ api }) => {
    const { preDeploy } = seedSnapshots(api)
    const step = api.step()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
    const log = logOf(step)
    expect(log).toContain(`▸ Waiting for the restore of server ${WEB}`)
    const checks = log.filter(line => new RegExp(`^server ${WEB}: \\w+ \\(.+ waited\\)$`).test(line))
    expect(checks.length).toBeGreaterThan(1)
    // The restore takes minutes: the last check says so.
    expect(checks.at(-1)).toMatch(new RegExp(`^server ${WEB}: running \\(\\d+ min \\d+ s waited\\)$`))
  })

  test("by id without server_id: restores the snapshot's own server, and only that one", async ({ api }) => {
    const { database } = seedSnapshots(api)
    const step = api.step()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { id: database.id }, serverId: undefined }), step.tools)
    expect(api.writes()).toEqual([`POST /snapshots/${database.id}/restore/`])
    expect(api.requests()).toContain(`GET /servers/${DB}/`)
    expect(api.requests()).not.toContain(`GET /servers/${WEB}/`)
    expectRestoreOutputs(step, database, DB, 'running')
  })

  test("latest: the newest completed snapshot of server_id by creation time, not by id, nor another server's", async ({
    api
  }) => {
    const { preDeploy } = seedSnapshots(api)
    const step = api.step()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { latest: true } }), step.tools)
    expect(api.writes()).toEqual([`POST /snapshots/${preDeploy.id}/restore/`])
    expect(outputsOf(step)).toMatchObject({
      snapshot_id: String(preDeploy.id),
      server_id: String(WEB),
      status: 'running'
    })
  })

  test('by name: the newest completed snapshot of that name on server_id', async ({ api }) => {
    const { nightlyNew } = seedSnapshots(api)
    const step = api.step()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { name: 'nightly' } }), step.tools)
    expect(api.writes()).toEqual([`POST /snapshots/${nightlyNew.id}/restore/`])
    expect(outputsOf(step).snapshot_id).toBe(String(nightlyNew.id))
  })

  test('with wait false: sends the restore and ends at once, the server still under way', async ({ api }) => {
    const { preDeploy } = seedSnapshots(api)
    const step = api.step()
    const started = api.clock.now()
    await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id }, wait: false }), step.tools)
    expect(api.clock.now() - started).toBeLessThan(1_000)
    expect(api.writes()).toEqual([`POST /snapshots/${preDeploy.id}/restore/`])
    expect(api.requests()).not.toContain(`GET /servers/${WEB}/`)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB) })
    expect(outputsOf(step).status).toMatch(UNDER_WAY)
    expect(api.emulator.server(WEB)?.status).toMatch(UNDER_WAY)
  })

  describe('refused before any restore is sent', () => {
    test("another server's snapshot", async ({ api }) => {
      const { database } = seedSnapshots(api)
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: database.id } }), step.tools)
      )
      expect(error).toBe(`snapshot ${database.id} belongs to server ${DB}, not to server ${WEB}; nothing was restored`)
      expect(api.writes()).toEqual([])
      expect(api.emulator.server(WEB)?.status).toBe('running')
      expect(api.emulator.server(DB)?.status).toBe('running')
    })

    test('a snapshot that is not completed', async ({ api }) => {
      const { nightlyRunning } = seedSnapshots(api)
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: nightlyRunning.id } }), step.tools)
      )
      expect(error).toBe(`snapshot ${nightlyRunning.id} is in_progress; only a completed snapshot can be restored`)
      expect(api.writes()).toEqual([])
    })

    test('a failed snapshot', async ({ api }) => {
      const failed = api.emulator.addSnapshot({ serverId: WEB, name: 'broken', status: 'failed' })
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: failed.id } }), step.tools)
      )
      expect(error).toBe(`snapshot ${failed.id} is failed; only a completed snapshot can be restored`)
      expect(api.writes()).toEqual([])
    })

    test('an unknown id, with server_id and without', async ({ api }) => {
      seedSnapshots(api)
      const step = api.step()
      expect(await failureOf(restoreSnapshot(snapshotSettings(step, { snapshot: { id: 999 } }), step.tools))).toBe(
        `snapshot 999 was not found on server ${WEB}`
      )
      const anywhere = api.step()
      expect(
        await failureOf(
          restoreSnapshot(snapshotSettings(anywhere, { snapshot: { id: 999 }, serverId: undefined }), anywhere.tools)
        )
      ).toBe('snapshot 999 was not found')
      expect(api.writes()).toEqual([])
    })

    test('a name server_id has no snapshot of, even when another server has one', async ({ api }) => {
      seedSnapshots(api)
      const step = api.step()
      expect(
        await failureOf(restoreSnapshot(snapshotSettings(step, { snapshot: { name: 'no-such-snapshot' } }), step.tools))
      ).toBe(`server ${WEB} has no snapshot named "no-such-snapshot"`)
      const onDb = api.step()
      expect(
        await failureOf(
          restoreSnapshot(snapshotSettings(onDb, { snapshot: { name: 'pre-deploy' }, serverId: DB }), onDb.tools)
        )
      ).toBe(`server ${DB} has no snapshot named "pre-deploy"`)
      expect(api.writes()).toEqual([])
    })

    test('a name whose only snapshot is still in progress', async ({ api }) => {
      const busy = api.emulator.addSnapshot({ serverId: WEB, name: 'tonight', status: 'in_progress' })
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { name: 'tonight' } }), step.tools)
      )
      expect(error).toBe(`snapshot "tonight" (id ${busy.id}) is in_progress; only a completed snapshot can be used`)
      expect(api.writes()).toEqual([])
    })

    test('latest on a server with no completed snapshot', async ({ api }) => {
      api.emulator.addSnapshot({ serverId: DB, name: 'busy', status: 'in_progress' })
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { latest: true }, serverId: DB }), step.tools)
      )
      expect(error).toMatch(new RegExp(`^server ${DB} has no completed snapshot to use as "latest"`))
      expect(api.writes()).toEqual([])
    })

    test("a wrong token: the API's 401, and no restore", async ({ api }) => {
      const { preDeploy } = seedSnapshots(api)
      const step = api.step({ apiToken: 'wrong-token' })
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      )
      expect(error).toBe(
        `HTTP 401 from GET /snapshots/?server_id=${WEB}: Invalid token. Check input "api_token": the API did not accept it.`
      )
      expect(api.writes()).toEqual([])
    })
  })

  test("a restore the API refuses (400): the API's message, sent once, the outputs name what was tried", async ({
    api
  }) => {
    const { preDeploy } = seedSnapshots(api)
    api.emulator.inject('POST /snapshots/{id}/restore/', {
      kind: 'status',
      status: 400,
      body: { error: 'Server is not in a valid state for restoration.' }
    })
    const step = api.step()
    const error = await failureOf(
      restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
    )
    expect(error).toBe(
      `HTTP 400 from POST /snapshots/${preDeploy.id}/restore/: Server is not in a valid state for restoration.`
    )
    expect(restores(api)).toHaveLength(1)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB) })
  })

  describe('how the restore ends', () => {
    test.for(['error', 'restore_failed'])(
      'a server that ends it in "%s": the step fails naming the status, the outputs set',
      async (status, { api }) => {
        const { preDeploy } = seedSnapshots(api)
        api.emulator.failNextJob('restore', status)
        const step = api.step()
        const error = await failureOf(
          restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
        )
        expect(error).toBe(`server ${WEB} ended the restore with status "${status}"`)
        expectRestoreOutputs(step, preDeploy, WEB, status, error)
      }
    )

    test.for(['stopped', 'off'])(
      'a server that comes back "%s" is at rest: the restore is finished',
      async (status, { api }) => {
        const { preDeploy } = seedSnapshots(api)
        api.emulator.failNextJob('restore', status)
        const step = api.step()
        await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
        expect(outputsOf(step).status).toBe(status)
        expect(restoreNotes(step).at(-1)).toBe(`Server ${WEB} is ${status} again after the restore.`)
      }
    )

    test.for(['starting', 'maintenance'])(
      'a server left "%s" is still under way: the wait goes on until the timeout',
      async (status, { api }) => {
        const { preDeploy } = seedSnapshots(api)
        api.emulator.failNextJob('restore', status)
        const step = api.step({ timeoutMs: 15 * MINUTE })
        const error = await failureOf(
          restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
        )
        expect(error).toBe(
          `timed out waiting for server ${WEB}, still "${status}" after 14 min 59 s of waiting and ${serverChecks(api)} status checks: the step's timeout of 15 min 0 s (input "timeout") ran out`
        )
        expect(outputsOf(step).status).toBe(status)
      }
    )

    test('a restore longer than the timeout: fails saying so, within it, with the outputs set', async ({ api }) => {
      const { preDeploy } = seedSnapshots(api)
      const step = api.step({ timeoutMs: MINUTE })
      const started = api.clock.now()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      )
      expect(error).toMatch(
        new RegExp(
          `^timed out waiting for server ${WEB}, still "(stopping|restoring|starting)" after 59 s of waiting and ${serverChecks(api)} status checks: the step's timeout of 1 min 0 s \\(input "timeout"\\) ran out$`
        )
      )
      expect(api.clock.now() - started).toBeLessThanOrEqual(MINUTE)
      expect(outputsOf(step)).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB) })
      expect(outputsOf(step).status).toMatch(UNDER_WAY)
    })
  })

  describe('a restore whose answer is lost is never sent twice', () => {
    test('the connection drops after the API acted: the server is seen restoring, then waited for', async ({ api }) => {
      const { preDeploy } = seedSnapshots(api)
      api.emulator.inject('POST /snapshots/{id}/restore/', { kind: 'reset-after' })
      const step = api.step()
      await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      const restore = `POST /snapshots/${preDeploy.id}/restore/`
      expect(restores(api)).toEqual([restore])
      // Looked at once, not after a poll interval.
      expect(api.requests()[api.requests().indexOf(restore) + 1]).toBe(`GET /servers/${WEB}/`)
      expect(api.emulator.requests[api.requests().indexOf(restore) + 1]?.at).toBe(receivedAt(api, restore))
      expectRestoreOutputs(step, preDeploy, WEB, 'running')
      expect(restoreNotes(step)).toEqual([
        `Restoring server ${WEB} from snapshot ${preDeploy.id} "pre-deploy" of ${preDeploy.created_at}: the restore was received, although its answer was lost on the way.`,
        `Server ${WEB} is running again after the restore.`
      ])
    })

    test('the connection drops after the API acted, with wait false: the step still sees the restore begin', async ({
      api
    }) => {
      const { preDeploy } = seedSnapshots(api)
      api.emulator.inject('POST /snapshots/{id}/restore/', { kind: 'reset-after' })
      const step = api.step()
      await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id }, wait: false }), step.tools)
      expect(restores(api)).toHaveLength(1)
      expect(api.requests()).toContain(`GET /servers/${WEB}/`)
      expect(outputsOf(step).status).toMatch(UNDER_WAY)
    })

    test('a 2xx whose body is cut in half was accepted: one restore, waited for', async ({ api }) => {
      const { preDeploy } = seedSnapshots(api)
      api.emulator.inject('POST /snapshots/{id}/restore/', { kind: 'truncated-json' })
      const step = api.step()
      await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      expect(restores(api)).toHaveLength(1)
      expect(outputsOf(step)).toMatchObject({ snapshot_id: String(preDeploy.id), status: 'running' })
      expect(restoreNotes(step)[0]).toBe(
        `Restoring server ${WEB} from snapshot ${preDeploy.id} "pre-deploy" of ${preDeploy.created_at}: the restore was received, although its answer was lost on the way.`
      )
    })

    test.for([
      ['the connection drops before the API acted', { kind: 'reset-before' }],
      ['HTTP 500 without acting', { kind: 'status', status: 500 }],
      ["a proxy's HTML 502 page without acting", { kind: 'html', status: 502 }],
      ['HTTP 504 without acting', { kind: 'status', status: 504 }],
      ['HTTP 408 without acting', { kind: 'status', status: 408 }]
    ] as const)(
      '%s: not sent again; no sign of it before the timeout, so the step fails saying it may have been received',
      async ([, fault], { api }) => {
        const { preDeploy } = seedSnapshots(api)
        api.emulator.inject('POST /snapshots/{id}/restore/', fault)
        const step = api.step({ timeoutMs: 5 * MINUTE })
        const started = api.clock.now()
        const error = await failureOf(
          restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
        )
        expect(error).toMatch(
          new RegExp(
            `^the restore of server ${WEB} got no clear answer \\(.+\\), and the server showed no sign of it before the step's timeout ran out: ` +
              `the restore may have been received and may be running\\. It was not sent twice\\. Check server ${WEB}'s status in the VPS\\.org panel before restoring again$`
          )
        )
        expect(error).toContain(`POST /snapshots/${preDeploy.id}/restore/`)
        expect(restores(api)).toHaveLength(1)
        expect(api.emulator.server(WEB)?.status).toBe('running')
        // The server was watched until the deadline, not given up on at the first look.
        const checks = api.emulator.requests
          .filter(request => request.path.endsWith(`/servers/${WEB}/`))
          .map(request => request.at)
        expect(checks.length).toBeGreaterThan(1)
        expect((checks.at(-1) ?? 0) - started).toBeGreaterThan(4 * MINUTE)
        expect(api.clock.now() - started).toBeLessThanOrEqual(5 * MINUTE)
        expect(outputsOf(step)).toMatchObject({
          snapshot_id: String(preDeploy.id),
          server_id: String(WEB),
          status: 'running'
        })
      }
    )

    test("no answer before the step's timeout: not sent again, and the step fails saying it may have been received", async ({
      api
    }) => {
      const { preDeploy } = seedSnapshots(api)
      api.emulator.inject('POST /snapshots/{id}/restore/', { kind: 'hang' })
      // The request's own cut-off runs on real time: a short timeout keeps the test short.
      const step = api.step({ timeoutMs: 1_000 })
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      )
      expect(error).toMatch(
        new RegExp(
          `^the restore of server ${WEB} got no clear answer \\(.+\\), and the server showed no sign of it before the step's timeout ran out: the restore may have been received and may be running\\. It was not sent twice\\. Check server ${WEB}'s status in the VPS\\.org panel before restoring again$`
        )
      )
      expect(restores(api)).toHaveLength(1)
    })

    test.for([429, 503])(
      'refused with %i (nothing done): simply sent again, and the server restored',
      async (status, { api }) => {
        const { preDeploy } = seedSnapshots(api)
        api.emulator.inject('POST /snapshots/{id}/restore/', {
          kind: 'status',
          status,
          headers: { 'retry-after': '1' }
        })
        const step = api.step()
        await restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
        const restore = `POST /snapshots/${preDeploy.id}/restore/`
        expect(restores(api)).toEqual([restore, restore])
        // Nothing between the two: a refusal is not looked into.
        const first = api.requests().indexOf(restore)
        expect(api.requests()[first + 1]).toBe(restore)
        expect(api.emulator.requests[first + 1]!.at - api.emulator.requests[first]!.at).toBeGreaterThanOrEqual(1_000)
        expect(outputsOf(step).status).toBe('running')
      }
    )

    test('a restore the API keeps refusing with 503: retried, then one error naming the status, nothing restored', async ({
      api
    }) => {
      const { preDeploy } = seedSnapshots(api)
      api.emulator.inject(
        'POST /snapshots/{id}/restore/',
        ...Array.from({ length: 6 }, (): Fault => ({ kind: 'status', status: 503 }))
      )
      const step = api.step()
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: preDeploy.id } }), step.tools)
      )
      expect(error).toBe(`HTTP 503 from POST /snapshots/${preDeploy.id}/restore/: Service Unavailable.`)
      expect(restores(api).length).toBeGreaterThan(1)
      expect(api.emulator.server(WEB)?.status).toBe('running')
    })
  })

  describe('dry run', () => {
    test('latest: names the snapshot it would restore from, sends only GETs, restores nothing', async ({ api }) => {
      api.emulator.addSnapshot({ serverId: WEB, name: 'older', createdAt: minutesAgo(api, 200) })
      const newest = api.emulator.addSnapshot({ serverId: WEB, name: 'newest', createdAt: minutesAgo(api, 100) })
      const step = api.step({ dryRun: true })
      await restoreSnapshot(snapshotSettings(step, { snapshot: { latest: true } }), step.tools)
      expect(api.requests().every(request => request.startsWith('GET '))).toBe(true)
      expect(api.emulator.server(WEB)?.status).toBe('running')
      expect(step.recorder.outcome.planned).toEqual([
        {
          do: 'restore',
          kind: 'snapshot',
          id: newest.id,
          label: `snapshot ${newest.id} "newest"`,
          createdAt: newest.created_at,
          serverId: WEB
        }
      ])
      // A dry run's plan is in the summary, naming the server, and in its block of the log.
      const plan = `Dry run: would restore server ${WEB} from snapshot ${newest.id} "newest" of ${newest.created_at}, overwriting its disk.`
      expect(summaryOf(step, 'note')).toEqual([plan])
      expect(logOf(step)).toContain(plan)
    })

    test('the outputs name the snapshot and server it would restore', async ({ api }) => {
      const newest = api.emulator.addSnapshot({ serverId: WEB, name: 'newest', createdAt: minutesAgo(api, 100) })
      const step = api.step({ dryRun: true })
      await restoreSnapshot(snapshotSettings(step, { snapshot: { latest: true } }), step.tools)
      expect(outputsOf(step)).toMatchObject({ snapshot_id: String(newest.id), server_id: String(WEB) })
    })

    test("another server's snapshot: fails as the real run would, sending only GETs", async ({ api }) => {
      const { database } = seedSnapshots(api)
      const step = api.step({ dryRun: true })
      const error = await failureOf(
        restoreSnapshot(snapshotSettings(step, { snapshot: { id: database.id } }), step.tools)
      )
      expect(error).toBe(`snapshot ${database.id} belongs to server ${DB}, not to server ${WEB}; nothing was restored`)
      expect(api.writes()).toEqual([])
      expect(step.recorder.outcome.planned).toEqual([])
    })
  })
})

describe('restore-backup', () => {
  test("by id: restores through the Servers API with the backup's id, and waits until the server is running", async ({
    api
  }) => {
    const { manualOlder } = seedBackups(api)
    const step = api.step()
    await restoreBackup(backupSettings(step, { backup: { id: manualOlder.id } }), step.tools)
    const restore = `POST /servers/${WEB}/restore/`
    expect(api.writes()).toEqual([restore])
    expect(api.emulator.requests.find(request => request.method === 'POST')?.body).toEqual({
      backup_id: manualOlder.id
    })
    expect(api.clock.now() - receivedAt(api, restore)).toBeGreaterThanOrEqual(RESTORE_SECONDS * 1000)
    expect(api.requests().at(-1)).toBe(`GET /servers/${WEB}/`)
    expect(api.emulator.server(WEB)?.status).toBe('running')
    expectRestoreOutputs(step, manualOlder, WEB, 'running')
    expect(restoreNotes(step)).toEqual([
      `Restoring server ${WEB} from manual backup ${manualOlder.id} of ${manualOlder.created_at}: Server is being restored from backup. This may take 5-15 minutes.`,
      `Server ${WEB} is running again after the restore.`
    ])
  })

  test('with wait false: sends the restore and ends at once', async ({ api }) => {
    const { manualOld } = seedBackups(api)
    const step = api.step()
    await restoreBackup(backupSettings(step, { backup: { id: manualOld.id }, wait: false }), step.tools)
    expect(api.writes()).toEqual([`POST /servers/${WEB}/restore/`])
    expect(api.requests()).not.toContain(`GET /servers/${WEB}/`)
    expect(outputsOf(step)).toMatchObject({ backup_id: String(manualOld.id), server_id: String(WEB) })
    expect(outputsOf(step).status).toMatch(UNDER_WAY)
  })

  test('latest: the newest completed backup of server_id, of either type', async ({ api }) => {
    const { automatic } = seedBackups(api)
    const step = api.step()
    await restoreBackup(backupSettings(step, { backup: { latest: true } }), step.tools)
    expect(api.emulator.requests.filter(request => request.method === 'POST').map(request => request.body)).toEqual([
      { backup_id: automatic.id }
    ])
    expect(outputsOf(step)).toMatchObject({
      backup_id: String(automatic.id),
      server_id: String(WEB),
      status: 'running'
    })
    expect(restoreNotes(step)[0]).toMatch(
      new RegExp(`^Restoring server ${WEB} from automatic backup ${automatic.id} of `)
    )
  })

  describe('refused before any restore is sent', () => {
    test("another server's backup", async ({ api }) => {
      const { database } = seedBackups(api)
      const step = api.step()
      const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: database.id } }), step.tools))
      expect(error).toBe(`backup ${database.id} belongs to server ${DB}, not to server ${WEB}; nothing was restored`)
      expect(api.writes()).toEqual([])
      expect(api.emulator.server(WEB)?.status).toBe('running')
    })

    test('a backup that is not completed', async ({ api }) => {
      const { running } = seedBackups(api)
      const step = api.step()
      const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: running.id } }), step.tools))
      expect(error).toBe(`backup ${running.id} is in_progress; only a completed backup can be restored`)
      expect(api.writes()).toEqual([])
    })

    test('an unknown id', async ({ api }) => {
      seedBackups(api)
      const step = api.step()
      const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: 4242 } }), step.tools))
      expect(error).toBe(`backup 4242 was not found on server ${WEB}`)
      expect(api.writes()).toEqual([])
    })

    test('latest on a server with no completed backup', async ({ api }) => {
      api.emulator.addBackup({ serverId: DB, status: 'in_progress' })
      const step = api.step()
      const error = await failureOf(
        restoreBackup(backupSettings(step, { backup: { latest: true }, serverId: DB }), step.tools)
      )
      expect(error).toMatch(new RegExp(`^server ${DB} has no completed backup to use as "latest"`))
      expect(api.writes()).toEqual([])
    })
  })

  test('a restore longer than the timeout: fails saying so, with the outputs set', async ({ api }) => {
    const { manualOld } = seedBackups(api)
    const step = api.step({ timeoutMs: MINUTE })
    const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: manualOld.id } }), step.tools))
    expect(error).toMatch(
      new RegExp(`^timed out waiting for server ${WEB}, still "(stopping|restoring|starting)" after 59 s of waiting`)
    )
    expect(outputsOf(step)).toMatchObject({ backup_id: String(manualOld.id), server_id: String(WEB) })
  })

  test('a server that ends the restore in "failed": the step fails naming the status', async ({ api }) => {
    const { manualOld } = seedBackups(api)
    api.emulator.failNextJob('restore', 'failed')
    const step = api.step()
    const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: manualOld.id } }), step.tools))
    expect(error).toBe(`server ${WEB} ended the restore with status "failed"`)
    expect(outputsOf(step)).toMatchObject({ backup_id: String(manualOld.id), status: 'failed' })
  })

  test('the connection drops after the API acted: one restore, the server restored', async ({ api }) => {
    const { manualOld } = seedBackups(api)
    api.emulator.inject('POST /servers/{id}/restore/', { kind: 'reset-after' })
    const step = api.step()
    await restoreBackup(backupSettings(step, { backup: { id: manualOld.id } }), step.tools)
    expect(restores(api)).toEqual([`POST /servers/${WEB}/restore/`])
    expect(outputsOf(step)).toMatchObject({ backup_id: String(manualOld.id), status: 'running' })
  })

  test("a proxy's 502 page without acting: not sent again, and the step fails saying it may have been received", async ({
    api
  }) => {
    const { manualOld } = seedBackups(api)
    api.emulator.inject('POST /servers/{id}/restore/', { kind: 'html', status: 502 }, { kind: 'html', status: 502 })
    const step = api.step({ timeoutMs: 5 * MINUTE })
    const error = await failureOf(restoreBackup(backupSettings(step, { backup: { id: manualOld.id } }), step.tools))
    expect(error).toMatch(
      new RegExp(
        `^the restore of server ${WEB} got no clear answer \\(HTTP 502 from POST /servers/${WEB}/restore/: .*502 Bad Gateway.*\\), and the server showed no sign of it`
      )
    )
    expect(restores(api)).toHaveLength(1)
  })

  test('refused with 429: sent again, and the server restored', async ({ api }) => {
    const { manualOld } = seedBackups(api)
    api.emulator.inject('POST /servers/{id}/restore/', { kind: 'status', status: 429, headers: { 'retry-after': '1' } })
    const step = api.step()
    await restoreBackup(backupSettings(step, { backup: { id: manualOld.id } }), step.tools)
    expect(restores(api)).toEqual([`POST /servers/${WEB}/restore/`, `POST /servers/${WEB}/restore/`])
    expect(outputsOf(step).status).toBe('running')
  })
})
