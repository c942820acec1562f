// Deploy safety, dry run: only GET requests, and the log and summary say what would be created,
// restored or deleted.
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../emulator/server.ts'
import { WEB, expectSuccess, markerPattern, minutesAgo, start, step, summaryText, writes } from './helpers.ts'
import type { StepResult } from '../harness/runner.ts'

/** Every line must be said in both the summary and the log. */
function expectSaid(result: StepResult, ...lines: Array<string | RegExp>): void {
  for (const line of lines) {
    if (typeof line === 'string') {
      expect(summaryText(result)).toContain(line)
      expect(result.stdout).toContain(line)
    } else {
      expect(summaryText(result)).toMatch(line)
      expect(result.stdout).toMatch(line)
    }
  }
}

function expectOnlyGets(emulator: Emulator): void {
  expect(writes(emulator)).toEqual([])
  expect(emulator.requests.every(request => request.method === 'GET')).toBe(true)
}

describe.concurrent('dry run', () => {
  it('create-snapshot with keep at the limit: says what it would delete and create, sends only GETs', async () => {
    const emulator = await start()
    try {
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(300) })
      emulator.addSnapshot({ serverId: WEB, name: 'manual-a', createdAt: minutesAgo(250) })
      const o2 = emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(200) })
      emulator.addSnapshot({ serverId: WEB, name: 'manual-b', createdAt: minutesAgo(150) })
      const o3 = emulator.addSnapshot({ serverId: WEB, name: 'gha-3', createdAt: minutesAgo(100) })
      const before = emulator.snapshots()

      const result = await step(emulator, {
        operation: 'create-snapshot', server_id: String(WEB), keep: '2', dry_run: 'true', rollback_on_failure: 'true'
      })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.requests.length).toBeGreaterThan(0)
      expect(emulator.snapshots()).toEqual(before)
      expect(result.state.rollbackTarget).toBeUndefined()
      expect(result.outputs.deleted_ids ?? '[]').toBe('[]')
      expectSaid(
        result,
        `Dry run: would delete snapshot ${o1.id} "gha-1"`,
        new RegExp(`Dry run: would create snapshot "${markerPattern()}" of server ${WEB}`),
        `Dry run: would delete snapshot ${o2.id} "gha-2"`
      )
      expect(summaryText(result)).not.toContain(`snapshot ${o3.id}`)
    } finally {
      await emulator.close()
    }
  })

  it('create-backup: says what it would create and sends nothing', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), dry_run: 'true', description: 'Release 7' })
      expectSuccess(result)
      expect(emulator.requests).toEqual([])
      expect(emulator.backups()).toEqual([])
      expectSaid(result, new RegExp(`Dry run: would create manual backup "${markerPattern()} Release 7" of server ${WEB}`))
    } finally {
      await emulator.close()
    }
  })

  it('restore-snapshot latest: names the snapshot it would restore from, sends only GETs', async () => {
    const emulator = await start()
    try {
      emulator.addSnapshot({ serverId: WEB, name: 'older', createdAt: minutesAgo(200) })
      const newest = emulator.addSnapshot({ serverId: WEB, name: 'newest', createdAt: minutesAgo(100) })
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: 'latest', server_id: String(WEB), dry_run: 'true' })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.server(WEB)?.status).toBe('running')
      expect(result.outputs).toMatchObject({ snapshot_id: String(newest.id), server_id: String(WEB) })
      expectSaid(result, `Dry run: would restore server ${WEB} from snapshot ${newest.id} "newest"`)
    } finally {
      await emulator.close()
    }
  })

  it('restore-backup by id: names the backup it would restore from, sends only GETs', async () => {
    const emulator = await start()
    try {
      const backup = emulator.addBackup({ serverId: WEB, createdAt: minutesAgo(60) })
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(backup.id), server_id: String(WEB), dry_run: 'true' })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.server(WEB)?.status).toBe('running')
      expectSaid(result, `Dry run: would restore server ${WEB} from manual backup ${backup.id}`)
    } finally {
      await emulator.close()
    }
  })

  it('delete-snapshot: names what it would delete, sends only GETs', async () => {
    const emulator = await start()
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'doomed' })
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(snapshot.id), dry_run: 'true' })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.snapshots()).toHaveLength(1)
      expect(result.outputs.deleted_ids).toBe('[]')
      expectSaid(result, `Dry run: would delete snapshot ${snapshot.id} "doomed" of server ${WEB}`)
    } finally {
      await emulator.close()
    }
  })

  it('delete-backup: names what it would delete, or that it is already gone, sending only GETs', async () => {
    const emulator = await start()
    try {
      const backup = emulator.addBackup({ serverId: WEB })
      const result = await step(emulator, { operation: 'delete-backup', backup_id: String(backup.id), dry_run: 'true' })
      expectSuccess(result)
      expectSaid(result, `Dry run: would delete manual backup ${backup.id} of server ${WEB}`)
      const gone = await step(emulator, { operation: 'delete-backup', backup_id: '4242', dry_run: 'true' })
      expectSuccess(gone)
      expectSaid(gone, 'backup 4242 is already gone')
      expectOnlyGets(emulator)
      expect(emulator.backups()).toHaveLength(1)
    } finally {
      await emulator.close()
    }
  })

  it('prune-snapshots: names each snapshot it would delete, sends only GETs', async () => {
    const emulator = await start()
    try {
      const o1 = emulator.addSnapshot({ serverId: WEB, name: 'gha-1', createdAt: minutesAgo(300) })
      const o2 = emulator.addSnapshot({ serverId: WEB, name: 'gha-2', createdAt: minutesAgo(200) })
      const o3 = emulator.addSnapshot({ serverId: WEB, name: 'gha-3', createdAt: minutesAgo(100) })
      emulator.addSnapshot({ serverId: WEB, name: 'manual', createdAt: minutesAgo(400) })
      const result = await step(emulator, { operation: 'prune-snapshots', server_id: String(WEB), keep: '1', dry_run: 'true' })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.snapshots()).toHaveLength(4)
      expect(result.outputs.deleted_ids).toBe('[]')
      expectSaid(result, `Dry run: would delete snapshot ${o1.id} "gha-1"`, `Dry run: would delete snapshot ${o2.id} "gha-2"`)
      expect(summaryText(result)).not.toContain(`snapshot ${o3.id}`)
      expect(summaryText(result)).not.toContain('"manual"')
    } finally {
      await emulator.close()
    }
  })

  it('prune-backups: names each backup it would delete, sends only GETs', async () => {
    const emulator = await start()
    try {
      const old = emulator.addBackup({ serverId: WEB, description: 'gha-old', createdAt: minutesAgo(300) })
      emulator.addBackup({ serverId: WEB, description: 'gha-new', createdAt: minutesAgo(100) })
      const result = await step(emulator, { operation: 'prune-backups', server_id: String(WEB), keep: '1', dry_run: 'true' })
      expectSuccess(result)
      expectOnlyGets(emulator)
      expect(emulator.backups()).toHaveLength(2)
      expectSaid(result, `Dry run: would delete manual backup ${old.id}`)
    } finally {
      await emulator.close()
    }
  })
})
