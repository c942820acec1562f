// list-*, delete-* and wait-* end to end, each against its own emulator.
import { describe, expect, it } from 'vitest'
import type { Backup, Emulator, Snapshot } from '../emulator/server.ts'
import {
  DB, WEB, WELL_BEFORE_MS, calls, expectFailure, expectSuccess, ids, minutesAgo, notices, start, step, summaryText, writes
} from './helpers.ts'

/** Two items a page, so every list below crosses several page boundaries. */
const PAGE_SIZE = 2

/** Seven snapshots, ids in an order unlike their creation times. */
function seedSnapshots(emulator: Emulator): void {
  for (const [serverId, name, minutes] of [
    [WEB, 'web-a', 50], [WEB, 'web-b', 10], [DB, 'db-a', 20], [WEB, 'web-c', 40],
    [WEB, 'web-d', 30], [DB, 'db-b', 60], [WEB, 'web-e', 5]
  ] as const) {
    emulator.addSnapshot({ serverId, name, createdAt: minutesAgo(minutes) })
  }
}

/** Seven backups: four manual and two automatic on WEB, one manual on DB. */
function seedBackups(emulator: Emulator): void {
  for (const [serverId, backupType, minutes] of [
    [WEB, 'manual', 50], [WEB, 'automatic', 25], [WEB, 'manual', 15], [DB, 'manual', 5],
    [WEB, 'manual', 35], [WEB, 'automatic', 45], [WEB, 'manual', 55]
  ] as const) {
    emulator.addBackup({ serverId, backupType, description: `${backupType} ${minutes}`, createdAt: minutesAgo(minutes) })
  }
}

function newestFirst<T extends Snapshot | Backup>(items: T[]): T[] {
  return [...items].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
}

/** The page requests a full read of a list makes: the first without a page number. */
function pages(path: string, query: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const parts = [query, index === 0 ? '' : `page=${index + 1}`].filter(Boolean).join('&')
    return `GET ${path}${parts ? `?${parts}` : ''}`
  })
}

describe.concurrent('list-snapshots', () => {
  it('lists every page of every server, newest first', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'list-snapshots' })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(pages('/snapshots/', '', 4))
      const expected = newestFirst(emulator.snapshots())
      expect(result.outputs.count).toBe('7')
      expect(JSON.parse(result.outputs.items ?? '')).toEqual(expected)
      expect(result.outputs.server_id).toBeUndefined()
      const summary = summaryText(result)
      expect(summary).toContain('list-snapshots: done')
      expect(summary).toContain('Found 7 snapshots.')
      for (const snapshot of expected) expect(summary).toContain(`<td>${snapshot.name}</td>`)
    } finally {
      await emulator.close()
    }
  })

  it('filters by server_id on every page', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'list-snapshots', server_id: String(WEB) })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(pages('/snapshots/', `server_id=${WEB}`, 3))
      const items = JSON.parse(result.outputs.items ?? '') as Snapshot[]
      expect(items.map(item => item.name)).toEqual(['web-e', 'web-b', 'web-d', 'web-c', 'web-a'])
      expect(result.outputs).toMatchObject({ count: '5', server_id: String(WEB) })
      expect(summaryText(result)).toContain(`Found 5 snapshots on server ${WEB}.`)
    } finally {
      await emulator.close()
    }
  })

  it('reports an empty list as count 0 and []', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      const result = await step(emulator, { operation: 'list-snapshots', server_id: String(DB) })
      expectSuccess(result)
      expect(result.outputs).toMatchObject({ count: '0', items: '[]' })
    } finally {
      await emulator.close()
    }
  })

  it('an API that never answers is bounded by timeout too', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedSnapshots(emulator)
      emulator.inject('GET /snapshots/', { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' })
      const result = await step(emulator, { operation: 'list-snapshots', timeout: '2s' })
      expectFailure(result, 'list-snapshots', 'GET /snapshots/')
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
    } finally {
      await emulator.close()
    }
  })

  it('fails on a wrong token with HTTP 401 and the API message', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      const result = await step(emulator, { operation: 'list-snapshots', api_token: 'wrong-token' })
      expectFailure(result, 'list-snapshots', 'HTTP 401', 'Invalid token.')
      expect(result.outputs.count).toBeUndefined()
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('list-backups', () => {
  it('lists every page of every server and type, newest first', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedBackups(emulator)
      const result = await step(emulator, { operation: 'list-backups' })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(pages('/backups/', '', 4))
      expect(result.outputs.count).toBe('7')
      expect(JSON.parse(result.outputs.items ?? '')).toEqual(newestFirst(emulator.backups()))
      expect(summaryText(result)).toContain('Found 7 backups.')
    } finally {
      await emulator.close()
    }
  })

  it('filters by server_id and backup_type manual on every page', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedBackups(emulator)
      const result = await step(emulator, { operation: 'list-backups', server_id: String(WEB), backup_type: 'manual' })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(pages('/backups/', `server_id=${WEB}&backup_type=manual`, 2))
      const items = JSON.parse(result.outputs.items ?? '') as Backup[]
      expect(items.map(item => item.description)).toEqual(['manual 15', 'manual 35', 'manual 50', 'manual 55'])
      expect(items.every(item => item.server.id === WEB && item.backup_type === 'manual')).toBe(true)
      expect(result.outputs).toMatchObject({ count: '4', server_id: String(WEB) })
      expect(summaryText(result)).toContain(`Found 4 manual backups on server ${WEB}.`)
    } finally {
      await emulator.close()
    }
  })

  it('filters by backup_type automatic alone', async () => {
    const emulator = await start({ pageSize: PAGE_SIZE })
    try {
      seedBackups(emulator)
      const result = await step(emulator, { operation: 'list-backups', backup_type: 'automatic' })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(pages('/backups/', 'backup_type=automatic', 1))
      const items = JSON.parse(result.outputs.items ?? '') as Backup[]
      expect(items.map(item => item.description)).toEqual(['automatic 25', 'automatic 45'])
      expect(result.outputs.count).toBe('2')
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('delete-snapshot and delete-backup', () => {
  it('delete-snapshot deletes that snapshot only', async () => {
    const emulator = await start()
    try {
      const kept = emulator.addSnapshot({ serverId: WEB, name: 'kept' })
      const doomed = emulator.addSnapshot({ serverId: WEB, name: 'doomed' })
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(doomed.id) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /snapshots/${doomed.id}/`])
      expect(ids(emulator.snapshots())).toEqual([kept.id])
      expect(result.outputs).toMatchObject({ snapshot_id: String(doomed.id), deleted_ids: `[${doomed.id}]` })
      expect(summaryText(result)).toContain(`Deleted snapshot ${doomed.id}.`)
    } finally {
      await emulator.close()
    }
  })

  it('delete-snapshot of an id already gone: a notice, exit 0, deleted_ids []', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: '4242' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual(['DELETE /snapshots/4242/'])
      expect(notices(result).join('\n')).toContain('4242')
      expect(result.outputs.deleted_ids).toBe('[]')
      expect(summaryText(result)).toContain('already gone')
    } finally {
      await emulator.close()
    }
  })

  it('delete-snapshot of a snapshot still being made fails with the API’s 400 and message', async () => {
    const emulator = await start()
    try {
      const busy = emulator.addSnapshot({ serverId: WEB, name: 'busy', status: 'in_progress' })
      const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(busy.id) })
      expectFailure(result, 'delete-snapshot', 'HTTP 400', 'still being created')
      expect(ids(emulator.snapshots())).toEqual([busy.id])
    } finally {
      await emulator.close()
    }
  })

  it('delete-backup deletes that backup only', async () => {
    const emulator = await start()
    try {
      const kept = emulator.addBackup({ serverId: WEB })
      const doomed = emulator.addBackup({ serverId: DB })
      const result = await step(emulator, { operation: 'delete-backup', backup_id: String(doomed.id) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`DELETE /backups/${doomed.id}/`])
      expect(ids(emulator.backups())).toEqual([kept.id])
      expect(result.outputs).toMatchObject({ backup_id: String(doomed.id), deleted_ids: `[${doomed.id}]` })
      expect(summaryText(result)).toContain(`Deleted backup ${doomed.id}.`)
    } finally {
      await emulator.close()
    }
  })

  it('delete-backup of an id already gone: a notice, exit 0, deleted_ids []', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'delete-backup', backup_id: '4242' })
      expectSuccess(result)
      expect(notices(result).join('\n')).toContain('4242')
      expect(result.outputs.deleted_ids).toBe('[]')
    } finally {
      await emulator.close()
    }
  })

  it('delete-backup fails on a wrong token with HTTP 401, deleting nothing', async () => {
    const emulator = await start()
    try {
      const backup = emulator.addBackup({ serverId: WEB })
      const result = await step(emulator, { operation: 'delete-backup', backup_id: String(backup.id), api_token: 'wrong-token' })
      expectFailure(result, 'delete-backup', 'HTTP 401', 'Invalid token.')
      expect(ids(emulator.backups())).toEqual([backup.id])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('wait-snapshot and wait-backup', () => {
  it('wait-snapshot waits for a snapshot started with wait false', async () => {
    const emulator = await start()
    try {
      const started = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), wait: 'false' })
      expectSuccess(started)
      const from = emulator.requests.length
      const result = await step(emulator, { operation: 'wait-snapshot', snapshot_id: started.outputs.snapshot_id ?? '', server_id: String(WEB) })
      expectSuccess(result)
      expect(new Set(calls(emulator, from))).toEqual(new Set([`GET /snapshots/?server_id=${WEB}`]))
      const [snapshot] = emulator.snapshots(WEB)
      expect(result.outputs).toMatchObject({
        snapshot_id: started.outputs.snapshot_id,
        snapshot_name: started.outputs.snapshot_name,
        status: 'completed',
        size_mb: String(snapshot?.size_mb)
      })
      expect(summaryText(result)).toContain(`Snapshot ${snapshot?.id} "${snapshot?.name}" is completed.`)
    } finally {
      await emulator.close()
    }
  })

  it('wait-snapshot checks at once: one request for a snapshot already completed', async () => {
    const emulator = await start()
    try {
      const done = emulator.addSnapshot({ serverId: WEB, name: 'done' })
      // With a 30 s poll interval, a first check after the interval would outlive the kill.
      const result = await step(
        emulator,
        { operation: 'wait-snapshot', snapshot_id: String(done.id), server_id: String(WEB), poll_interval: '30' },
        { killAfterMs: 20_000 }
      )
      expectSuccess(result)
      expect(calls(emulator)).toEqual([`GET /snapshots/?server_id=${WEB}`])
      expect(result.outputs).toMatchObject({ snapshot_id: String(done.id), status: 'completed' })
    } finally {
      await emulator.close()
    }
  })

  it('wait-snapshot fails on a snapshot that is not on server_id', async () => {
    const emulator = await start()
    try {
      const other = emulator.addSnapshot({ serverId: DB, name: 'other' })
      const result = await step(emulator, { operation: 'wait-snapshot', snapshot_id: String(other.id), server_id: String(WEB) })
      expectFailure(result, 'wait-snapshot', `snapshot ${other.id}`, `server ${WEB}`)
    } finally {
      await emulator.close()
    }
  })

  it('wait-backup waits for a backup started with wait false', async () => {
    const emulator = await start()
    try {
      const started = await step(emulator, { operation: 'create-backup', server_id: String(WEB), wait: 'false' })
      expectSuccess(started)
      const result = await step(emulator, { operation: 'wait-backup', backup_id: started.outputs.backup_id ?? '', server_id: String(WEB) })
      expectSuccess(result)
      expect(result.outputs).toMatchObject({ backup_id: started.outputs.backup_id, status: 'completed', server_id: String(WEB) })
      expect(summaryText(result)).toContain(`Manual backup ${started.outputs.backup_id} is completed.`)
    } finally {
      await emulator.close()
    }
  })

  it('wait-backup fails when the job fails, naming the status, with the outputs set', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('backup')
      const started = await step(emulator, { operation: 'create-backup', server_id: String(WEB), wait: 'false' })
      expectSuccess(started)
      const result = await step(emulator, { operation: 'wait-backup', backup_id: started.outputs.backup_id ?? '', server_id: String(WEB) })
      expectFailure(result, 'wait-backup', `backup ${started.outputs.backup_id}`, '"failed"')
      expect(result.outputs).toMatchObject({ backup_id: started.outputs.backup_id, status: 'failed' })
    } finally {
      await emulator.close()
    }
  })

  it('wait-backup times out well before the job would end', async () => {
    const emulator = await start({ jobSeconds: 30 })
    try {
      const started = await step(emulator, { operation: 'create-backup', server_id: String(WEB), wait: 'false' })
      const result = await step(emulator, { operation: 'wait-backup', backup_id: started.outputs.backup_id ?? '', server_id: String(WEB), timeout: '2s' })
      expectFailure(result, 'wait-backup', 'timed out')
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
      expect(result.outputs).toMatchObject({ backup_id: started.outputs.backup_id, status: 'in_progress' })
    } finally {
      await emulator.close()
    }
  })
})
