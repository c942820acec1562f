// restore-snapshot and restore-backup end to end: which item is chosen, what is refused before any
// restore request, and the wait on the server. A fresh emulator per test: a restore changes it.
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../emulator/server.ts'
import { DB, WEB, WELL_BEFORE_MS, calls, expectFailure, expectSuccess, minutesAgo, start, step, summaryText, writes } from './helpers.ts'

/**
 * Snapshots of both servers, oldest first by creation time (not by id), so that a choice by
 * id order and a choice by time differ.
 */
function seedSnapshots(emulator: Emulator) {
  return {
    nightlyOld: emulator.addSnapshot({ serverId: WEB, name: 'nightly', createdAt: minutesAgo(300) }),
    nightlyNew: emulator.addSnapshot({ serverId: WEB, name: 'nightly', createdAt: minutesAgo(200) }),
    // Newest of all on WEB, but not restorable.
    nightlyRunning: emulator.addSnapshot({ serverId: WEB, name: 'nightly', status: 'in_progress', createdAt: minutesAgo(1) }),
    preDeploy: emulator.addSnapshot({ serverId: WEB, name: 'pre-deploy', createdAt: minutesAgo(100) }),
    // Older creation time but a higher id than preDeploy.
    early: emulator.addSnapshot({ serverId: WEB, name: 'early', createdAt: minutesAgo(400) }),
    // Newer than anything on WEB, but another server's.
    database: emulator.addSnapshot({ serverId: DB, name: 'nightly', createdAt: minutesAgo(0.5) })
  }
}

function seedBackups(emulator: Emulator) {
  return {
    manualOld: emulator.addBackup({ serverId: WEB, description: 'gha-old', createdAt: minutesAgo(300) }),
    // The newest completed backup of WEB is an automatic one.
    automatic: emulator.addBackup({ serverId: WEB, backupType: 'automatic', createdAt: minutesAgo(60) }),
    manualOlder: emulator.addBackup({ serverId: WEB, description: 'by hand', createdAt: minutesAgo(120) }),
    running: emulator.addBackup({ serverId: WEB, status: 'in_progress', createdAt: minutesAgo(1) }),
    database: emulator.addBackup({ serverId: DB, createdAt: minutesAgo(0.5) })
  }
}

describe.concurrent('restore-snapshot', () => {
  it('by id: restores from that snapshot and waits until the server leaves restoring', async () => {
    const emulator = await start()
    try {
      const { preDeploy } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /snapshots/${preDeploy.id}/restore/`])
      const afterRestore = calls(emulator).slice(calls(emulator).indexOf(`POST /snapshots/${preDeploy.id}/restore/`) + 1)
      expect(afterRestore.length).toBeGreaterThan(0)
      expect(new Set(afterRestore)).toEqual(new Set([`GET /servers/${WEB}/`]))
      expect(emulator.server(WEB)?.status).toBe('running')
      expect(result.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB), status: 'running' })
      const summary = summaryText(result)
      expect(summary).toContain('restore-snapshot: done')
      expect(summary).toContain(`Restoring server ${WEB} from snapshot ${preDeploy.id} "pre-deploy"`)
      expect(summary).toContain(`Server ${WEB} is running`)
    } finally {
      await emulator.close()
    }
  })

  it('by id with wait false: sends the restore and leaves the server stopping for it', async () => {
    const emulator = await start({ restoreSeconds: 30 })
    try {
      const { preDeploy } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB), wait: 'false' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /snapshots/${preDeploy.id}/restore/`])
      expect(calls(emulator)).not.toContain(`GET /servers/${WEB}/`)
      expect(result.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB), status: 'stopping' })
      expect(emulator.server(WEB)?.status).toBe('stopping')
    } finally {
      await emulator.close()
    }
  })

  it('by id without server_id: restores the snapshot’s own server', async () => {
    const emulator = await start()
    try {
      const { database } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(database.id) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /snapshots/${database.id}/restore/`])
      expect(result.outputs).toMatchObject({ snapshot_id: String(database.id), server_id: String(DB), status: 'running' })
      expect(emulator.server(WEB)?.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('latest: the newest completed snapshot of server_id, by creation time', async () => {
    const emulator = await start()
    try {
      // Not "early", which has the highest id, nor the newer in_progress one or DB's.
      const { preDeploy } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: 'latest', server_id: String(WEB) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /snapshots/${preDeploy.id}/restore/`])
      expect(result.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB), status: 'running' })
    } finally {
      await emulator.close()
    }
  })

  it('by name: the newest completed snapshot with that name on server_id', async () => {
    const emulator = await start()
    try {
      const { nightlyNew } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', name: 'nightly', server_id: String(WEB) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /snapshots/${nightlyNew.id}/restore/`])
      expect(result.outputs.snapshot_id).toBe(String(nightlyNew.id))
    } finally {
      await emulator.close()
    }
  })

  it('refuses a snapshot that is not completed, sending no restore', async () => {
    const emulator = await start()
    try {
      const { nightlyRunning } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(nightlyRunning.id), server_id: String(WEB) })
      expectFailure(result, 'restore-snapshot', `snapshot ${nightlyRunning.id}`, 'in_progress')
      expect(writes(emulator)).toEqual([])
      expect(emulator.server(WEB)?.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('refuses another server’s snapshot, sending no restore', async () => {
    const emulator = await start()
    try {
      const { database } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(database.id), server_id: String(WEB) })
      expectFailure(result, 'restore-snapshot', `snapshot ${database.id}`, `server ${DB}`)
      expect(writes(emulator)).toEqual([])
      expect(emulator.server(WEB)?.status).toBe('running')
      expect(emulator.server(DB)?.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('fails on a name that server_id has no snapshot of, and on an unknown id, sending no restore', async () => {
    const emulator = await start()
    try {
      seedSnapshots(emulator)
      const byName = await step(emulator, { operation: 'restore-snapshot', name: 'no-such-snapshot', server_id: String(WEB) })
      expectFailure(byName, 'restore-snapshot', '"no-such-snapshot"')
      // DB has a "nightly" only on the other server: not a candidate.
      const onDb = await step(emulator, { operation: 'restore-snapshot', name: 'pre-deploy', server_id: String(DB) })
      expectFailure(onDb, 'restore-snapshot', '"pre-deploy"')
      const byId = await step(emulator, { operation: 'restore-snapshot', snapshot_id: '999', server_id: String(WEB) })
      expectFailure(byId, 'restore-snapshot', 'snapshot 999', 'not found')
      expect(writes(emulator)).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('latest fails when the server has no completed snapshot', async () => {
    const emulator = await start()
    try {
      emulator.addSnapshot({ serverId: DB, name: 'busy', status: 'in_progress' })
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: 'latest', server_id: String(DB) })
      expectFailure(result, 'restore-snapshot', 'latest')
      expect(writes(emulator)).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('fails when the server ends the restore in a failure status, naming it', async () => {
    const emulator = await start()
    try {
      const { preDeploy } = seedSnapshots(emulator)
      emulator.failNextJob('restore', 'error')
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB) })
      expectFailure(result, 'restore-snapshot', '"error"')
      expect(result.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB), status: 'error' })
    } finally {
      await emulator.close()
    }
  })

  it('times out well before the restore would end, with the outputs set', async () => {
    const emulator = await start({ restoreSeconds: 30 })
    try {
      const { preDeploy } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB), timeout: '2s' })
      expectFailure(result, 'restore-snapshot', 'timed out', `server ${WEB}`)
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
      expect(result.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB), status: 'stopping' })
    } finally {
      await emulator.close()
    }
  })

  it('fails on a wrong token with HTTP 401 and the API message, sending no restore', async () => {
    const emulator = await start()
    try {
      const { preDeploy } = seedSnapshots(emulator)
      const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB), api_token: 'wrong-token' })
      expectFailure(result, 'restore-snapshot', 'HTTP 401', 'Invalid token.')
      expect(writes(emulator)).toEqual([])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('restore refused by the API', () => {
  it('a second restore while one runs fails with the API’s 400 and its message', async () => {
    const emulator = await start({ restoreSeconds: 30 })
    try {
      const { preDeploy } = seedSnapshots(emulator)
      const backup = emulator.addBackup({ serverId: WEB })
      const first = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB), wait: 'false' })
      expectSuccess(first)
      const again = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(preDeploy.id), server_id: String(WEB) })
      expectFailure(again, 'restore-snapshot', 'HTTP 400', 'a restore is already running')
      expect(again.outputs).toMatchObject({ snapshot_id: String(preDeploy.id), server_id: String(WEB) })
      const fromBackup = await step(emulator, { operation: 'restore-backup', backup_id: String(backup.id), server_id: String(WEB) })
      expectFailure(fromBackup, 'restore-backup', 'HTTP 400', 'a restore is already running')
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('restore-backup', () => {
  it('by id: POSTs the Servers API restore with the backup id and waits', async () => {
    const emulator = await start()
    try {
      const { manualOlder } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(manualOlder.id), server_id: String(WEB) })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /servers/${WEB}/restore/`])
      expect(emulator.requests.find(request => request.method === 'POST')?.body).toEqual({ backup_id: manualOlder.id })
      expect(calls(emulator).at(-1)).toBe(`GET /servers/${WEB}/`)
      expect(emulator.server(WEB)?.status).toBe('running')
      expect(result.outputs).toMatchObject({ backup_id: String(manualOlder.id), server_id: String(WEB), status: 'running' })
      const summary = summaryText(result)
      expect(summary).toContain('restore-backup: done')
      expect(summary).toContain(`Restoring server ${WEB} from manual backup ${manualOlder.id}`)
    } finally {
      await emulator.close()
    }
  })

  it('by id with wait false: leaves the server stopping for the restore', async () => {
    const emulator = await start({ restoreSeconds: 30 })
    try {
      const { manualOld } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(manualOld.id), server_id: String(WEB), wait: 'false' })
      expectSuccess(result)
      expect(writes(emulator)).toEqual([`POST /servers/${WEB}/restore/`])
      expect(calls(emulator)).not.toContain(`GET /servers/${WEB}/`)
      expect(result.outputs).toMatchObject({ backup_id: String(manualOld.id), server_id: String(WEB), status: 'stopping' })
      expect(emulator.server(WEB)?.status).toBe('stopping')
    } finally {
      await emulator.close()
    }
  })

  it('latest: the newest completed backup of server_id, of either type', async () => {
    const emulator = await start()
    try {
      const { automatic } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: 'latest', server_id: String(WEB) })
      expectSuccess(result)
      expect(emulator.requests.filter(request => request.method === 'POST').map(request => request.body)).toEqual([{ backup_id: automatic.id }])
      expect(result.outputs).toMatchObject({ backup_id: String(automatic.id), server_id: String(WEB), status: 'running' })
    } finally {
      await emulator.close()
    }
  })

  it('refuses another server’s backup, sending no restore', async () => {
    const emulator = await start()
    try {
      const { database } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(database.id), server_id: String(WEB) })
      expectFailure(result, 'restore-backup', `backup ${database.id}`, `server ${DB}`)
      expect(writes(emulator)).toEqual([])
      expect(emulator.server(WEB)?.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('refuses a backup that is not completed, sending no restore', async () => {
    const emulator = await start()
    try {
      const { running } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(running.id), server_id: String(WEB) })
      expectFailure(result, 'restore-backup', `backup ${running.id}`, 'in_progress')
      expect(writes(emulator)).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('fails on an unknown backup id, sending no restore', async () => {
    const emulator = await start()
    try {
      seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: '4242', server_id: String(WEB) })
      expectFailure(result, 'restore-backup', 'backup 4242')
      expect(writes(emulator)).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('times out well before the restore would end, with the outputs set', async () => {
    const emulator = await start({ restoreSeconds: 30 })
    try {
      const { manualOld } = seedBackups(emulator)
      const result = await step(emulator, { operation: 'restore-backup', backup_id: String(manualOld.id), server_id: String(WEB), timeout: '2s' })
      expectFailure(result, 'restore-backup', 'timed out')
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
      expect(result.outputs).toMatchObject({ backup_id: String(manualOld.id), server_id: String(WEB), status: 'stopping' })
    } finally {
      await emulator.close()
    }
  })
})
