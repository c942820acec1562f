// Deploy safety, rotation: `keep` on create-* and prune-* deletes only the action's own items
// (by name_prefix), oldest first, never the new item nor one in progress, and at the provider's
// limit only the fewest needed before the create.
import { describe, expect, it } from 'vitest'
import type { Emulator, RecordedRequest } from '../emulator/server.ts'
import {
  DB, JOB_SECONDS, WEB, calls, expectFailure, expectSuccess, ids, minutesAgo, notices, start, step, summaryText, writes
} from './helpers.ts'

function findRequest(emulator: Emulator, call: string): RecordedRequest | undefined {
  const index = calls(emulator).indexOf(call)
  return index === -1 ? undefined : emulator.requests[index]
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

describe.concurrent('rotation on create-snapshot', () => {
  it('at the limit: deletes the oldest own one before creating, the rest after the new one completed', async () => {
    const emulator = await start()
    try {
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-1-1-aaaaaa', createdAt: minutesAgo(300) })
      const f1 = emulator.addSnapshot({ serverId: WEB, name: 'manual-before-upgrade', createdAt: minutesAgo(250) })
      const o2 = emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-2-1-bbbbbb', createdAt: minutesAgo(200) })
      const f2 = emulator.addSnapshot({ serverId: WEB, name: 'db-migration', createdAt: minutesAgo(150) })
      const o3 = emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-3-1-cccccc', createdAt: minutesAgo(100) })
      const other = emulator.addSnapshot({ serverId: DB, name: 'gha-acme-shop-0-1-dddddd', createdAt: minutesAgo(400) })

      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '2' })
      expectSuccess(result)
      const created = Number(result.outputs.snapshot_id)
      expect(writes(emulator)).toEqual([`DELETE /snapshots/${o1.id}/`, 'POST /snapshots/', `DELETE /snapshots/${o2.id}/`])
      // The second deletion came only once the new snapshot could be completed.
      const posted = findRequest(emulator, 'POST /snapshots/')
      const deletedAfter = findRequest(emulator, `DELETE /snapshots/${o2.id}/`)
      expect(deletedAfter!.at).toBeGreaterThanOrEqual(posted!.at + JOB_SECONDS * 1000)

      expect(result.outputs.deleted_ids).toBe(JSON.stringify([o1.id, o2.id]))
      expect(sorted(ids(emulator.snapshots(WEB)))).toEqual(sorted([f1.id, f2.id, o3.id, created]))
      expect(ids(emulator.snapshots(DB))).toEqual([other.id])
      expect(notices(result).length).toBeGreaterThan(0)
      const summary = summaryText(result)
      expect(summary).toContain(`Deleted snapshot ${o1.id}`)
      expect(summary).toContain('limit of 5 snapshots')
      expect(summary).toContain(`Deleted snapshot ${o2.id}`)
      expect(summary).toContain('keep the newest 2')
    } finally {
      await emulator.close()
    }
  })

  it('under the limit: deletes own ones beyond keep after the create, never the new one nor a foreign one', async () => {
    const emulator = await start()
    try {
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-old', createdAt: minutesAgo(90) })
      const f1 = emulator.addSnapshot({ serverId: WEB, name: 'hand-made', createdAt: minutesAgo(120) })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual(['POST /snapshots/', `DELETE /snapshots/${o1.id}/`])
      expect(result.outputs.deleted_ids).toBe(`[${o1.id}]`)
      expect(sorted(ids(emulator.snapshots(WEB)))).toEqual(sorted([f1.id, Number(result.outputs.snapshot_id)]))
    } finally {
      await emulator.close()
    }
  })

  it('never deletes an own snapshot still in progress', async () => {
    const emulator = await start()
    try {
      const busy = emulator.addSnapshot({ serverId: WEB, name: 'gha-other-run', status: 'in_progress', createdAt: minutesAgo(120) })
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-done', createdAt: minutesAgo(60) })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual(['POST /snapshots/', `DELETE /snapshots/${o1.id}/`])
      expect(ids(emulator.snapshots(WEB))).toContain(busy.id)
    } finally {
      await emulator.close()
    }
  })

  it('at the limit with only foreign snapshots: fails, deleting and creating nothing', async () => {
    const emulator = await start()
    try {
      for (let index = 0; index < 5; index++) emulator.addSnapshot({ serverId: WEB, name: `manual-${index}`, createdAt: minutesAgo(100 - index) })
      const before = emulator.snapshots(WEB)
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
      expectFailure(result, 'create-snapshot', 'limit')
      expect(writes(emulator)).toEqual([])
      expect(emulator.snapshots(WEB)).toEqual(before)
      expect(result.outputs.snapshot_id).toBeUndefined()
    } finally {
      await emulator.close()
    }
  })

  it('at the limit where the only own snapshot is in progress: fails, deleting and creating nothing', async () => {
    const emulator = await start()
    try {
      for (let index = 0; index < 4; index++) emulator.addSnapshot({ serverId: WEB, name: `manual-${index}`, createdAt: minutesAgo(100 - index) })
      emulator.addSnapshot({ serverId: WEB, name: 'gha-running', status: 'in_progress', createdAt: minutesAgo(200) })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
      expectFailure(result, 'create-snapshot', 'limit')
      expect(writes(emulator)).toEqual([])
      expect(emulator.snapshots(WEB)).toHaveLength(5)
    } finally {
      await emulator.close()
    }
  })

  it('with wait false: makes room at the limit, then skips the rest of the rotation with a notice', async () => {
    const emulator = await start()
    try {
      const own = [5, 4, 3, 2, 1].map(hours => emulator.addSnapshot({ serverId: WEB, name: `gha-run-${hours}`, createdAt: minutesAgo(hours * 60) }))
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1', wait: 'false' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /snapshots/${own[0]?.id}/`, 'POST /snapshots/'])
      expect(notices(result).join('\n')).toContain('Rotation skipped')
      expect(emulator.snapshots(WEB)).toHaveLength(5)
    } finally {
      await emulator.close()
    }
  })

  it('with nothing to delete, deleted_ids is []', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '3' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
      expect(result.outputs.deleted_ids).toBe('[]')
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('rotation on create-backup', () => {
  it('at the limit of 10 manual backups: keeps the newest own ones and every foreign and automatic one', async () => {
    const emulator = await start()
    try {
      const ages = [600, 550, 500, 450, 400, 350, 300, 250, 200, 150]
      // Own and foreign interleaved: own at even positions, plus one more own at the end.
      const seeded = ages.map((minutes, index) => emulator.addBackup({
        serverId: WEB,
        description: index % 2 === 0 || index === 9 ? `gha-acme-shop-${index}-1-abcdef Before deploy` : `weekly by hand ${index}`,
        createdAt: minutesAgo(minutes)
      }))
      const own = seeded.filter(backup => backup.description.startsWith('gha-'))
      const foreign = seeded.filter(backup => !backup.description.startsWith('gha-'))
      const automatic = [
        emulator.addBackup({ serverId: WEB, backupType: 'automatic', description: 'gha-looking automatic', createdAt: minutesAgo(700) }),
        emulator.addBackup({ serverId: WEB, backupType: 'automatic', createdAt: minutesAgo(100) })
      ]
      expect(own).toHaveLength(6)

      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), keep: '3' })
      expectSuccess(result)
      const created = Number(result.outputs.backup_id)
      const [first, second, third, fourth, fifth, sixth] = own
      expect(writes(emulator)).toEqual([
        `DELETE /backups/${first?.id}/`,
        'POST /backups/',
        `DELETE /backups/${second?.id}/`,
        `DELETE /backups/${third?.id}/`,
        `DELETE /backups/${fourth?.id}/`
      ])
      expect(result.outputs.deleted_ids).toBe(JSON.stringify([first?.id, second?.id, third?.id, fourth?.id]))
      expect(sorted(ids(emulator.backups(WEB)))).toEqual(sorted([
        created, fifth!.id, sixth!.id, ...ids(foreign), ...ids(automatic)
      ]))
    } finally {
      await emulator.close()
    }
  })

  it('at the limit with only foreign manual backups: fails, deleting and creating nothing', async () => {
    const emulator = await start()
    try {
      for (let index = 0; index < 10; index++) emulator.addBackup({ serverId: WEB, description: `by hand ${index}`, createdAt: minutesAgo(100 - index) })
      // Automatic backups neither count toward the limit nor are ever the action's own.
      emulator.addBackup({ serverId: WEB, backupType: 'automatic', description: 'gha-nightly', createdAt: minutesAgo(500) })
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), keep: '2' })
      expectFailure(result, 'create-backup', 'limit')
      expect(writes(emulator)).toEqual([])
      expect(emulator.backups(WEB)).toHaveLength(11)
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('prune-snapshots and prune-backups', () => {
  it('prune-snapshots deletes own completed snapshots beyond keep, oldest first, on that server only', async () => {
    const emulator = await start()
    try {
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(400) })
      const foreign = emulator.addSnapshot({ serverId: WEB, name: 'keep-me', createdAt: minutesAgo(450) })
      const o2 = emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(300) })
      const busy = emulator.addSnapshot({ serverId: WEB, name: 'gha-busy', status: 'in_progress', createdAt: minutesAgo(350) })
      const o3 = emulator.addSnapshot({ serverId: WEB, name: 'gha-3', createdAt: minutesAgo(200) })
      const o4 = emulator.addSnapshot({ serverId: WEB, name: 'gha-4', createdAt: minutesAgo(100) })
      const onDb = emulator.addSnapshot({ serverId: DB, name: 'gha-db', createdAt: minutesAgo(500) })

      const result = await step(emulator, { operation: 'prune-snapshots', server_id: String(WEB), keep: '2' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /snapshots/${o1.id}/`, `DELETE /snapshots/${o2.id}/`])
      expect(result.outputs).toMatchObject({ server_id: String(WEB), deleted_ids: JSON.stringify([o1.id, o2.id]) })
      expect(sorted(ids(emulator.snapshots(WEB)))).toEqual(sorted([foreign.id, busy.id, o3.id, o4.id]))
      expect(ids(emulator.snapshots(DB))).toEqual([onDb.id])
      // Every page of that server's list (three to a page by default), and nothing else.
      expect(new Set(calls(emulator).filter(call => call.startsWith('GET')))).toEqual(
        new Set([`GET /snapshots/?server_id=${WEB}`, `GET /snapshots/?server_id=${WEB}&page=2`])
      )
      const summary = summaryText(result)
      expect(summary).toContain('prune-snapshots: done')
      expect(summary).toContain('keeping the newest 2')
      expect(summary).toContain(`Deleted snapshot ${o1.id}`)
      expect(summary).toContain(`Deleted snapshot ${o2.id}`)
    } finally {
      await emulator.close()
    }
  })

  it('prune-backups goes by name_prefix on manual backup descriptions, never automatic ones', async () => {
    const emulator = await start()
    try {
      const n1 = emulator.addBackup({ serverId: WEB, description: 'nightly-1', createdAt: minutesAgo(400) })
      const gha = emulator.addBackup({ serverId: WEB, description: 'gha-acme-shop-1-1-abcdef', createdAt: minutesAgo(500) })
      const n2 = emulator.addBackup({ serverId: WEB, description: 'nightly-2', createdAt: minutesAgo(300) })
      const auto = emulator.addBackup({ serverId: WEB, backupType: 'automatic', description: 'nightly-auto', createdAt: minutesAgo(600) })
      const n3 = emulator.addBackup({ serverId: WEB, description: 'nightly-3', createdAt: minutesAgo(200) })
      const onDb = emulator.addBackup({ serverId: DB, description: 'nightly-db', createdAt: minutesAgo(700) })

      const result = await step(emulator, { operation: 'prune-backups', server_id: String(WEB), keep: '1', name_prefix: 'nightly-' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /backups/${n1.id}/`, `DELETE /backups/${n2.id}/`])
      expect(result.outputs.deleted_ids).toBe(JSON.stringify([n1.id, n2.id]))
      expect(sorted(ids(emulator.backups(WEB)))).toEqual(sorted([gha.id, auto.id, n3.id]))
      expect(ids(emulator.backups(DB))).toEqual([onDb.id])
    } finally {
      await emulator.close()
    }
  })

  it('with nothing beyond keep: deletes nothing, deleted_ids []', async () => {
    const emulator = await start()
    try {
      emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(100) })
      emulator.addSnapshot({ serverId: WEB, name: 'manual', createdAt: minutesAgo(200) })
      const result = await step(emulator, { operation: 'prune-snapshots', server_id: String(WEB), keep: '1' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([])
      expect(result.outputs.deleted_ids).toBe('[]')
      expect(emulator.snapshots(WEB)).toHaveLength(2)
    } finally {
      await emulator.close()
    }
  })

  // Deploy safety: with keep 1 and another run's backup still in progress, counting the busy one
  // as kept would delete the only completed backup, leaving nothing to restore from if it fails.
  it('an own backup still in progress does not take the place of a completed one', async () => {
    const emulator = await start()
    try {
      const done = emulator.addBackup({ serverId: WEB, description: 'gha-done', createdAt: minutesAgo(100) })
      const busy = emulator.addBackup({ serverId: WEB, description: 'gha-busy', status: 'in_progress', createdAt: minutesAgo(1) })
      const result = await step(emulator, { operation: 'prune-backups', server_id: String(WEB), keep: '1' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([])
      expect(sorted(ids(emulator.backups(WEB)))).toEqual(sorted([done.id, busy.id]))
    } finally {
      await emulator.close()
    }
  })
})
