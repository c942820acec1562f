// wait-snapshot and wait-backup, in-process against the emulator on a virtual clock: the step right
// before the deploy in the "wait later" recipe. It checks at once, sets its outputs before the
// first read, and arms the rollback only once the item is completed.
import { describe, expect } from 'vitest'
import { BACKUPS, SNAPSHOTS } from '../../src/kinds.ts'
import { createBackup, createSnapshot } from '../support/one-server.ts'
import { waitLater } from '../support/one-server.ts'
import {
  DB,
  JOB_SECONDS,
  WEB,
  createSettings,
  failureOf,
  logOf,
  outputsOf,
  summaryOf,
  test,
  type Api
} from '../support/in-process.ts'

const MINUTE = 60_000

/** The earlier step of the recipe: a create with wait false; returns the new item's id. */
async function startSnapshot(api: Api): Promise<number> {
  const step = api.step()
  await createSnapshot({ ...step.settings, ...createSettings({ wait: false }) }, step.tools)
  return Number(outputsOf(step).snapshot_id)
}

async function startBackup(api: Api): Promise<number> {
  const step = api.step()
  await createBackup({ ...step.settings, ...createSettings({ name: undefined, wait: false }) }, step.tools)
  return Number(outputsOf(step).backup_id)
}

describe('wait-snapshot', () => {
  test('waits for a snapshot started with wait false until it is completed, and reports it', async ({ api }) => {
    const id = await startSnapshot(api)
    const from = api.requests().length
    const started = api.clock.now()
    const step = api.step()
    await waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    expect(new Set(api.requests(from))).toEqual(new Set([`GET /snapshots/?server_id=${WEB}`]))
    expect(api.clock.now() - started).toBeGreaterThanOrEqual(JOB_SECONDS * 1000)
    const [snapshot] = api.emulator.snapshots(WEB)
    expect(snapshot?.status).toBe('completed')
    const { results, snapshot_ids, ...single } = outputsOf(step)
    expect(single).toEqual({
      snapshot_id: String(id),
      snapshot_name: snapshot?.name,
      server_id: String(WEB),
      status: 'completed',
      size_mb: String(snapshot?.size_mb),
      created_at: snapshot?.created_at
    })
    expect(JSON.parse(results ?? '')).toEqual([
      {
        server_id: WEB,
        snapshot_id: id,
        snapshot_name: snapshot?.name,
        size_mb: snapshot?.size_mb,
        created_at: snapshot?.created_at,
        status: 'completed'
      }
    ])
    expect(JSON.parse(snapshot_ids ?? '')).toEqual({ [WEB]: id })
    // Told in the server's block of the log; the summary's servers table shows it.
    expect(logOf(step).at(-1)).toBe(`Snapshot ${id} "${snapshot?.name}" is completed.`)
    expect(summaryOf(step)).toEqual([])
    expect(step.armed).toEqual([])
  })

  test('logs its progress: the status and the time waited at each check', async ({ api }) => {
    const id = await startSnapshot(api)
    const step = api.step()
    await waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    const log = logOf(step)
    // The progress line, outside every group, comes with the first status check (at once, for a wait).
    expect(log[0]).toBe(`Server ${WEB}, 0.0 s: snapshot ${id} in progress`)
    expect(step.recorder.log[0]).toEqual({ level: 'info', text: `Server ${WEB}, 0.0 s: snapshot ${id} in progress` })
    // The checks, each with its status and the time waited, are in the wait's group inside the server's block.
    const waiting = log.indexOf(`▸ Waiting for snapshot ${id}`)
    expect(log.slice(waiting - 1, waiting)).toEqual([
      expect.stringMatching(new RegExp(`^▸ Server ${WEB}: snapshot ${id} completed, `))
    ])
    expect(log[waiting + 1]).toMatch(new RegExp(`^snapshot ${id}: in_progress \\(0\\.0 s waited\\)$`))
    expect(log.filter(line => line.startsWith(`snapshot ${id}: `)).at(-1)).toMatch(
      new RegExp(`^snapshot ${id}: completed \\(3 min \\d+ s waited\\)$`)
    )
  })

  test('says where it is, outside every group, at least every 30 s while it waits', async ({ api }) => {
    const id = await startSnapshot(api)
    const step = api.step()
    const started = api.clock.now()
    await waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    const waitedMs = api.clock.now() - started
    // `Server 12345, 1 min 2 s: snapshot 801 in progress`, each at its time since the step began.
    const at = step.recorder.log.flatMap(line => {
      const match =
        line.level === 'info'
          ? new RegExp(`^Server ${WEB}, (?:(\\d+) min )?([\\d.]+) s: snapshot ${id} in progress$`).exec(line.text)
          : null
      return match ? [(Number(match[1] ?? 0) * 60 + Number(match[2])) * 1000] : []
    })
    expect(at[0]).toBe(0)
    for (let index = 1; index < at.length; index++)
      expect((at[index] ?? 0) - (at[index - 1] ?? 0)).toBeLessThanOrEqual(30_000)
    expect(waitedMs - (at.at(-1) ?? 0)).toBeLessThanOrEqual(30_000)
  })

  test('checks at once: a snapshot already completed costs one request and no waiting', async ({ api }) => {
    const done = api.emulator.addSnapshot({ serverId: WEB, name: 'done' })
    const step = api.step({ pollIntervalMs: 30_000 })
    const started = api.clock.now()
    await waitLater(SNAPSHOTS, { ...step.settings, id: done.id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    expect(api.requests()).toEqual([`GET /snapshots/?server_id=${WEB}`])
    expect(api.clock.now()).toBe(started)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(done.id), snapshot_name: 'done', status: 'completed' })
  })

  test('with rollback_on_failure: arms the rollback with the completed snapshot', async ({ api }) => {
    const id = await startSnapshot(api)
    const step = api.step()
    await waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    expect(step.armed).toEqual([{ kind: 'snapshot', id, serverId: WEB }])
  })

  test('a snapshot whose job fails: the step fails naming the status, keeps the outputs, arms nothing', async ({
    api
  }) => {
    api.emulator.failNextJob('snapshot', 'error')
    const id = await startSnapshot(api)
    const step = api.step()
    const error = await failureOf(
      waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toBe(`snapshot ${id} ended with status "error"`)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(id), server_id: String(WEB), status: 'error' })
    expect(step.armed).toEqual([])
  })

  test('a wait that runs into the timeout fails saying so, keeps the outputs, arms nothing', async ({ api }) => {
    const busy = api.emulator.addSnapshot({ serverId: WEB, name: 'busy', status: 'in_progress' })
    const step = api.step({ timeoutMs: 2 * MINUTE })
    const started = api.clock.now()
    const error = await failureOf(
      waitLater(SNAPSHOTS, { ...step.settings, id: busy.id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    // Every read of the list was a status check.
    const checks = api.requests().filter(request => request === `GET /snapshots/?server_id=${WEB}`).length
    expect(error).toBe(
      `timed out waiting for snapshot ${busy.id}, still "in_progress" after 1 min 59 s of waiting and ${checks} status checks: the step's timeout of 2 min 0 s (input "timeout") ran out`
    )
    // The last check is at the deadline, less the half second its answer may take.
    const lastCheck = api.emulator.requests.at(-1)?.at ?? 0
    expect(started + 2 * MINUTE - lastCheck).toBe(500)
    expect(api.clock.now() - started).toBeLessThanOrEqual(2 * MINUTE)
    expect(outputsOf(step)).toMatchObject({
      snapshot_id: String(busy.id),
      server_id: String(WEB),
      status: 'in_progress'
    })
    expect(step.armed).toEqual([])
  })

  test('a snapshot that is not on server_id: fails naming both, with the outputs it was given', async ({ api }) => {
    const other = api.emulator.addSnapshot({ serverId: DB, name: 'other' })
    const step = api.step()
    const error = await failureOf(
      waitLater(SNAPSHOTS, { ...step.settings, id: other.id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toBe(`snapshot ${other.id} was not found on server ${WEB}`)
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ snapshot_id: String(other.id), server_id: String(WEB) })
    expect(JSON.parse(results ?? '')).toEqual([
      { server_id: WEB, snapshot_id: other.id, error: `snapshot ${other.id} was not found on server ${WEB}` }
    ])
    expect(step.armed).toEqual([])
  })

  test('a wait that fails before any read still sets snapshot_id and server_id', async ({ api }) => {
    const done = api.emulator.addSnapshot({ serverId: WEB, name: 'done' })
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(
      waitLater(SNAPSHOTS, { ...step.settings, id: done.id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toBe(
      `HTTP 401 from GET /snapshots/?server_id=${WEB}: Invalid token. Check input "api_token": the API did not accept it.`
    )
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ snapshot_id: String(done.id), server_id: String(WEB) })
    expect(JSON.parse(results ?? '')).toEqual([{ server_id: WEB, snapshot_id: done.id, error }])
    expect(step.armed).toEqual([])
  })

  test('a status check rides out a 503 and a reset: the wait still succeeds', async ({ api }) => {
    const done = api.emulator.addSnapshot({ serverId: WEB, name: 'done' })
    api.emulator.inject(
      'GET /snapshots/',
      { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
      { kind: 'reset-before' }
    )
    const step = api.step()
    await waitLater(SNAPSHOTS, { ...step.settings, id: done.id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    expect(api.requests()).toEqual(Array.from({ length: 3 }, () => `GET /snapshots/?server_id=${WEB}`))
    expect(outputsOf(step).status).toBe('completed')
    expect(step.armed).toEqual([{ kind: 'snapshot', id: done.id, serverId: WEB }])
  })

  test('a rate limit with Retry-After during the wait is waited out, not a failure', async ({ api }) => {
    const id = await startSnapshot(api)
    const from = api.emulator.requests.length
    api.emulator.inject('GET /snapshots/', {
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '5' },
      body: { detail: 'Request was throttled.' }
    })
    const step = api.step()
    await waitLater(SNAPSHOTS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    expect(outputsOf(step).status).toBe('completed')
    const [throttled, retried] = api.emulator.requests.slice(from)
    expect(retried!.at - throttled!.at).toBeGreaterThanOrEqual(5_000)
  })
})

describe('wait-backup', () => {
  test('waits for a backup started with wait false until it is completed, and reports it', async ({ api }) => {
    const id = await startBackup(api)
    const step = api.step()
    await waitLater(BACKUPS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    const [backup] = api.emulator.backups(WEB)
    const { results, backup_ids, ...single } = outputsOf(step)
    expect(single).toEqual({
      backup_id: String(id),
      server_id: String(WEB),
      status: 'completed',
      size_mb: String(backup?.size_mb),
      created_at: backup?.created_at
    })
    expect(JSON.parse(results ?? '')).toEqual([
      { server_id: WEB, backup_id: id, size_mb: backup?.size_mb, created_at: backup?.created_at, status: 'completed' }
    ])
    expect(JSON.parse(backup_ids ?? '')).toEqual({ [WEB]: id })
    expect(logOf(step).at(-1)).toBe(`Manual backup ${id} is completed.`)
    expect(summaryOf(step)).toEqual([])
    expect(step.armed).toEqual([])
  })

  test('with rollback_on_failure: arms the rollback with the completed backup', async ({ api }) => {
    const id = await startBackup(api)
    const step = api.step()
    await waitLater(BACKUPS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    expect(step.armed).toEqual([{ kind: 'backup', id, serverId: WEB }])
  })

  test('checks at once: an automatic backup already completed costs one request', async ({ api }) => {
    const automatic = api.emulator.addBackup({ serverId: WEB, backupType: 'automatic' })
    const step = api.step({ pollIntervalMs: 30_000 })
    await waitLater(
      BACKUPS,
      { ...step.settings, id: automatic.id, serverId: WEB, rollbackOnFailure: false },
      step.tools
    )
    expect(api.requests()).toEqual([`GET /backups/?server_id=${WEB}`])
    expect(logOf(step).at(-1)).toBe(`Automatic backup ${automatic.id} is completed.`)
  })

  test('a backup whose job fails: the step fails naming the status, keeps the outputs, arms nothing', async ({
    api
  }) => {
    api.emulator.failNextJob('backup')
    const id = await startBackup(api)
    const step = api.step()
    const error = await failureOf(
      waitLater(BACKUPS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toBe(`backup ${id} ended with status "failed"`)
    expect(outputsOf(step)).toMatchObject({ backup_id: String(id), server_id: String(WEB), status: 'failed' })
    expect(step.armed).toEqual([])
  })

  test('a wait that runs into the timeout fails saying so, keeps the outputs, arms nothing', async ({ api }) => {
    api.emulator.setJobSeconds(30 * 60)
    const id = await startBackup(api)
    const step = api.step({ timeoutMs: 2 * MINUTE })
    const error = await failureOf(
      waitLater(BACKUPS, { ...step.settings, id, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toMatch(
      new RegExp(`^timed out waiting for backup ${id}, still "in_progress" after 1 min 59 s of waiting`)
    )
    expect(outputsOf(step)).toMatchObject({ backup_id: String(id), server_id: String(WEB), status: 'in_progress' })
    expect(step.armed).toEqual([])
  })

  test('a backup that is not on server_id: fails naming both', async ({ api }) => {
    const other = api.emulator.addBackup({ serverId: DB })
    const step = api.step()
    const error = await failureOf(
      waitLater(BACKUPS, { ...step.settings, id: other.id, serverId: WEB, rollbackOnFailure: false }, step.tools)
    )
    expect(error).toBe(`backup ${other.id} was not found on server ${WEB}`)
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ backup_id: String(other.id), server_id: String(WEB) })
    expect(JSON.parse(results ?? '')).toEqual([
      { server_id: WEB, backup_id: other.id, error: `backup ${other.id} was not found on server ${WEB}` }
    ])
  })

  test('a wait that fails before any read still sets backup_id and server_id', async ({ api }) => {
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(
      waitLater(BACKUPS, { ...step.settings, id: 501, serverId: WEB, rollbackOnFailure: true }, step.tools)
    )
    expect(error).toBe(
      `HTTP 401 from GET /backups/?server_id=${WEB}: Invalid token. Check input "api_token": the API did not accept it.`
    )
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ backup_id: '501', server_id: String(WEB) })
    expect(JSON.parse(results ?? '')).toEqual([{ server_id: WEB, backup_id: 501, error }])
    expect(step.armed).toEqual([])
  })
})
