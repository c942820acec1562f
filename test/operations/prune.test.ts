// prune-snapshots and prune-backups, in-process against the emulator: rotation alone. Only the
// action's own items (by name_prefix), never one in progress, oldest first, on that server only.
import { describe, expect } from 'vitest'
import type { CommonSettings } from '../../src/inputs.ts'
import { BACKUPS, SNAPSHOTS } from '../../src/kinds.ts'
import { prune, type PruneSettings } from '../support/one-server.ts'
import {
  DB,
  WEB,
  failureOf,
  logOf,
  outputsOf,
  rules,
  summaryOf,
  test,
  type Api,
  type Step
} from '../support/in-process.ts'

const MINUTE = 60_000

function minutesAgo(api: Api, minutes: number): string {
  return new Date(api.clock.now() - minutes * MINUTE).toISOString()
}

function settings(step: Step, fields: Partial<PruneSettings>): CommonSettings & PruneSettings {
  return { ...step.settings, serverId: WEB, namePrefix: 'gha-', ...rules(), ...fields }
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

function snapshotIds(api: Api, serverId: number): number[] {
  return sorted(api.emulator.snapshots(serverId).map(snapshot => snapshot.id))
}

function backupIds(api: Api, serverId: number): number[] {
  return sorted(api.emulator.backups(serverId).map(backup => backup.id))
}

describe('prune-snapshots', () => {
  test("deletes the action's own completed snapshots beyond keep, oldest first, on that server only", async ({
    api
  }) => {
    const add = (serverId: number, name: string, minutes: number, status?: string) =>
      api.emulator.addSnapshot({ serverId, name, createdAt: minutesAgo(api, minutes), ...(status ? { status } : {}) })
    const o1 = add(WEB, 'gha-1', 400)
    const foreign = add(WEB, 'keep-me', 450)
    const o2 = add(WEB, 'gha-2', 300)
    const busy = add(WEB, 'gha-busy', 350, 'in_progress')
    const o3 = add(WEB, 'gha-3', 200)
    const o4 = add(WEB, 'gha-4', 100)
    const onDb = add(DB, 'gha-db', 500)
    const step = api.step()
    await prune(SNAPSHOTS, settings(step, { keep: 2 }), step.tools)
    // Every page of that server's list (three to a page), then the deletions, oldest first.
    expect(api.requests()).toEqual([
      `GET /snapshots/?server_id=${WEB}`,
      `GET /snapshots/?server_id=${WEB}&page=2`,
      `DELETE /snapshots/${o1.id}/`,
      `DELETE /snapshots/${o2.id}/`
    ])
    expect(snapshotIds(api, WEB)).toEqual(sorted([foreign.id, busy.id, o3.id, o4.id]))
    expect(snapshotIds(api, DB)).toEqual([onDb.id])
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ server_id: String(WEB), deleted_ids: JSON.stringify([o1.id, o2.id]) })
    expect(JSON.parse(results ?? '')).toEqual([{ server_id: WEB, deleted_ids: [o1.id, o2.id] }])
    // What was done is the server's block of the log; the summary's servers table shows it.
    expect(logOf(step)).toEqual([
      expect.stringMatching(new RegExp(`^▸ Server ${WEB}: 2 deleted, `)),
      `Server ${WEB} has 5 snapshots made by this action (name_prefix "gha-"); keeping the newest 2.`,
      `Deleted snapshot ${o1.id} "gha-1" of ${o1.created_at} on server ${WEB} to keep the newest 2.`,
      `Deleted snapshot ${o2.id} "gha-2" of ${o2.created_at} on server ${WEB} to keep the newest 2.`
    ])
    expect(summaryOf(step)).toEqual([])
  })

  test("a snapshot is the action's own by its description too; a name with the prefix further in is not", async ({
    api
  }) => {
    const custom = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'pre-deploy',
      description: 'gha-acme-shop-1-1-abcdef Before deploy',
      createdAt: minutesAgo(api, 300)
    })
    const lookalike = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'my-gha-snapshot',
      description: 'by hand, not gha-',
      createdAt: minutesAgo(api, 400)
    })
    const newest = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'gha-acme-shop-2-1-abcdef',
      createdAt: minutesAgo(api, 100)
    })
    const step = api.step()
    await prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${custom.id}/`])
    expect(snapshotIds(api, WEB)).toEqual(sorted([lookalike.id, newest.id]))
  })

  test("another name_prefix marks other snapshots as the action's own", async ({ api }) => {
    const old = api.emulator.addSnapshot({ serverId: WEB, name: 'nightly-1', createdAt: minutesAgo(api, 300) })
    const gha = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(api, 400) })
    const recent = api.emulator.addSnapshot({ serverId: WEB, name: 'nightly-2', createdAt: minutesAgo(api, 100) })
    const step = api.step()
    await prune(SNAPSHOTS, settings(step, { keep: 1, namePrefix: 'nightly-' }), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${old.id}/`])
    expect(snapshotIds(api, WEB)).toEqual(sorted([gha.id, recent.id]))
    expect(logOf(step)).toContain(
      `Server ${WEB} has 2 snapshots made by this action (name_prefix "nightly-"); keeping the newest 1.`
    )
  })

  test('with nothing beyond keep: deletes nothing, deleted_ids []', async ({ api }) => {
    api.emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(api, 100) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'manual', createdAt: minutesAgo(api, 200) })
    const step = api.step()
    await prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([])
    expect(outputsOf(step)).toEqual({
      server_id: String(WEB),
      deleted_ids: '[]',
      results: JSON.stringify([{ server_id: WEB, deleted_ids: [] }])
    })
    expect(api.emulator.snapshots(WEB)).toHaveLength(2)
  })

  test('a failed snapshot of its own is not one of those kept: the newest completed ones are', async ({ api }) => {
    const completed = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-good', createdAt: minutesAgo(api, 300) })
    const failed = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'gha-broken',
      status: 'failed',
      createdAt: minutesAgo(api, 100)
    })
    const step = api.step()
    await prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${failed.id}/`])
    expect(snapshotIds(api, WEB)).toEqual([completed.id])
    // Its line says why it went: not to keep the newest 1, which it never was.
    expect(logOf(step)).toContainEqual(
      expect.stringMatching(
        /^Deleted snapshot \d+ "gha-broken" .* as it is failed, and no rule keeps an item that is not completed\.$/
      )
    )
  })

  test('a deletion the API refuses fails the step with its message; nothing after it is deleted', async ({ api }) => {
    const o1 = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(api, 300) })
    const o2 = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(api, 200) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'gha-3', createdAt: minutesAgo(api, 100) })
    api.emulator.inject('DELETE /snapshots/{id}/', {
      kind: 'status',
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' }
    })
    const step = api.step()
    const error = await failureOf(prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools))
    expect(error).toBe(
      `HTTP 403 from DELETE /snapshots/${o1.id}/: You do not have permission to perform this action. Check input "api_token": the API refused it (a token without the permission for this request).`
    )
    expect(api.writes()).toEqual([`DELETE /snapshots/${o1.id}/`])
    expect(snapshotIds(api, WEB)).toContain(o2.id)
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })

  test("a wrong token: the API's 401, nothing deleted", async ({ api }) => {
    api.emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(api, 300) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(api, 200) })
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools))
    expect(error).toBe(
      `HTTP 401 from GET /snapshots/?server_id=${WEB}: Invalid token. Check input "api_token": the API did not accept it.`
    )
    expect(api.writes()).toEqual([])
  })

  test('dry run: names each snapshot it would delete, oldest first, sends only GETs', async ({ api }) => {
    const o1 = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(api, 300) })
    const o2 = api.emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(api, 200) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'gha-3', createdAt: minutesAgo(api, 100) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'manual', createdAt: minutesAgo(api, 400) })
    const step = api.step({ dryRun: true })
    await prune(SNAPSHOTS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([])
    expect(api.emulator.snapshots(WEB)).toHaveLength(4)
    expect(step.recorder.outcome.planned.map(action => [action.do, 'id' in action ? action.id : undefined])).toEqual([
      ['delete', o1.id],
      ['delete', o2.id]
    ])
    // A dry run's summary says what it would do: the server's lines, each naming it.
    expect(summaryOf(step)).toEqual([
      `Server ${WEB} has 3 snapshots made by this action (name_prefix "gha-"); keeping the newest 1.`,
      `Dry run: would delete snapshot ${o1.id} "gha-1" of ${o1.created_at} on server ${WEB} to keep the newest 1.`,
      `Dry run: would delete snapshot ${o2.id} "gha-2" of ${o2.created_at} on server ${WEB} to keep the newest 1.`
    ])
    expect(logOf(step).slice(-2)).toEqual([
      `Dry run: would delete snapshot ${o1.id} "gha-1" of ${o1.created_at} on server ${WEB} to keep the newest 1.`,
      `Dry run: would delete snapshot ${o2.id} "gha-2" of ${o2.created_at} on server ${WEB} to keep the newest 1.`
    ])
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })
})

describe('prune-backups', () => {
  test("goes by name_prefix on manual backups' descriptions, never an automatic one, on that server only", async ({
    api
  }) => {
    const add = (
      serverId: number,
      description: string,
      minutes: number,
      backupType: 'manual' | 'automatic' = 'manual'
    ) => api.emulator.addBackup({ serverId, description, backupType, createdAt: minutesAgo(api, minutes) })
    const n1 = add(WEB, 'nightly-1', 400)
    const gha = add(WEB, 'gha-acme-shop-1-1-abcdef', 500)
    const n2 = add(WEB, 'nightly-2', 300)
    const automatic = add(WEB, 'nightly-auto', 600, 'automatic')
    const n3 = add(WEB, 'nightly-3', 200)
    const onDb = add(DB, 'nightly-db', 700)
    const step = api.step()
    await prune(BACKUPS, settings(step, { keep: 1, namePrefix: 'nightly-' }), step.tools)
    expect(api.writes()).toEqual([`DELETE /backups/${n1.id}/`, `DELETE /backups/${n2.id}/`])
    const { results, ...single } = outputsOf(step)
    expect(single).toEqual({ server_id: String(WEB), deleted_ids: JSON.stringify([n1.id, n2.id]) })
    expect(JSON.parse(results ?? '')).toEqual([{ server_id: WEB, deleted_ids: [n1.id, n2.id] }])
    expect(backupIds(api, WEB)).toEqual(sorted([gha.id, automatic.id, n3.id]))
    expect(backupIds(api, DB)).toEqual([onDb.id])
    expect(logOf(step)).toEqual([
      expect.stringMatching(new RegExp(`^▸ Server ${WEB}: 2 deleted, `)),
      `Server ${WEB} has 3 backups made by this action (name_prefix "nightly-"); keeping the newest 1.`,
      `Deleted manual backup ${n1.id} of ${n1.created_at} on server ${WEB} to keep the newest 1.`,
      `Deleted manual backup ${n2.id} of ${n2.created_at} on server ${WEB} to keep the newest 1.`
    ])
    expect(summaryOf(step)).toEqual([])
  })

  // With keep 1 and another run's backup still in progress, counting the busy one as kept would
  // delete the only completed backup, leaving nothing to restore from if it fails.
  test('an own backup still in progress does not take the place of a completed one', async ({ api }) => {
    const done = api.emulator.addBackup({ serverId: WEB, description: 'gha-done', createdAt: minutesAgo(api, 100) })
    const busy = api.emulator.addBackup({
      serverId: WEB,
      description: 'gha-busy',
      status: 'in_progress',
      createdAt: minutesAgo(api, 1)
    })
    const step = api.step()
    await prune(BACKUPS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([])
    expect(backupIds(api, WEB)).toEqual(sorted([done.id, busy.id]))
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })

  test('keeps the newest own ones across more than a page of backups', async ({ api }) => {
    const own = Array.from({ length: 7 }, (_, n) =>
      api.emulator.addBackup({
        serverId: WEB,
        description: `gha-run-${n} Before deploy`,
        createdAt: minutesAgo(api, 700 - n * 60)
      })
    )
    const step = api.step()
    await prune(BACKUPS, settings(step, { keep: 3 }), step.tools)
    expect(api.writes()).toEqual(own.slice(0, 4).map(backup => `DELETE /backups/${backup.id}/`))
    expect(backupIds(api, WEB)).toEqual(sorted(own.slice(4).map(backup => backup.id)))
  })

  test('dry run: names each backup it would delete, sends only GETs', async ({ api }) => {
    const old = api.emulator.addBackup({ serverId: WEB, description: 'gha-old', createdAt: minutesAgo(api, 300) })
    api.emulator.addBackup({ serverId: WEB, description: 'gha-new', createdAt: minutesAgo(api, 100) })
    const step = api.step({ dryRun: true })
    await prune(BACKUPS, settings(step, { keep: 1 }), step.tools)
    expect(api.writes()).toEqual([])
    expect(api.emulator.backups(WEB)).toHaveLength(2)
    const plan = `Dry run: would delete manual backup ${old.id} of ${old.created_at} on server ${WEB} to keep the newest 1.`
    expect(summaryOf(step).slice(1)).toEqual([plan])
    expect(logOf(step).at(-1)).toBe(plan)
  })
})
