// delete-snapshot and delete-backup, in-process against the emulator: the item is looked up in the
// list first, only that one is deleted, one not listed is already gone (nothing sent), and a 404
// is believed only once a list read confirms the item is absent.
import { describe, expect } from 'vitest'
import type { CommonSettings } from '../../src/inputs.ts'
import { DELETE_BACKUP, DELETE_SNAPSHOT } from '../../src/operations/delete.ts'
import { DB, WEB, failureOf, logOf, outputsOf, summaryOf, test, type Api, type Step } from '../support/in-process.ts'

function settings(step: Step, id: number): CommonSettings & { id: number } {
  return { ...step.settings, id }
}

function snapshotIds(api: Api): number[] {
  return api.emulator.snapshots().map(snapshot => snapshot.id)
}

function backupIds(api: Api): number[] {
  return api.emulator.backups().map(backup => backup.id)
}

describe('delete-snapshot', () => {
  test('deletes that snapshot and no other, on whichever server it is', async ({ api }) => {
    const kept = api.emulator.addSnapshot({ serverId: WEB, name: 'kept' })
    const doomed = api.emulator.addSnapshot({ serverId: DB, name: 'doomed' })
    const alsoKept = api.emulator.addSnapshot({ serverId: DB, name: 'also-kept' })
    const step = api.step()
    await DELETE_SNAPSHOT.run(settings(step, doomed.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${doomed.id}/`])
    expect(snapshotIds(api).sort()).toEqual([kept.id, alsoKept.id].sort())
    expect(outputsOf(step)).toEqual({
      snapshot_id: String(doomed.id),
      server_id: String(DB),
      deleted_ids: `[${doomed.id}]`
    })
    expect(summaryOf(step)).toEqual([`Deleted snapshot ${doomed.id} "doomed" of ${doomed.created_at} on server ${DB}.`])
  })

  test('looks the snapshot up in the list (every page) before the DELETE', async ({ api }) => {
    const snapshots = Array.from({ length: 4 }, (_, n) => api.emulator.addSnapshot({ serverId: WEB, name: `s-${n}` }))
    const oldest = snapshots[0]!
    const step = api.step()
    await DELETE_SNAPSHOT.run(settings(step, oldest.id), step.tools)
    // The oldest is on the second page (three to a page).
    expect(api.requests()).toEqual(['GET /snapshots/', 'GET /snapshots/?page=2', `DELETE /snapshots/${oldest.id}/`])
  })

  test('one that is not listed is already gone: a notice, deleted_ids [], no DELETE sent', async ({ api }) => {
    api.emulator.addSnapshot({ serverId: WEB, name: 'another' })
    const step = api.step()
    await DELETE_SNAPSHOT.run(settings(step, 4242), step.tools)
    expect(api.writes()).toEqual([])
    expect(snapshotIds(api)).toHaveLength(1)
    expect(summaryOf(step, 'notice')).toEqual(['Snapshot 4242 was already gone: nothing to delete.'])
    expect(outputsOf(step)).toEqual({ snapshot_id: '4242', deleted_ids: '[]' })
  })

  test("a 404 while the snapshot is still listed is not believed: the step fails with the API's message", async ({
    api
  }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'stubborn' })
    api.emulator.inject('DELETE /snapshots/{id}/', { kind: 'status', status: 404 })
    const step = api.step()
    const error = await failureOf(DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools))
    expect(error).toBe(
      `HTTP 404 from DELETE /snapshots/${snapshot.id}/: Not Found. (yet snapshot ${snapshot.id} is still listed: check api_url)`
    )
    expect(snapshotIds(api)).toEqual([snapshot.id])
    // Confirmed by reading the snapshot's server's list after the 404.
    expect(api.requests().slice(api.requests().indexOf(`DELETE /snapshots/${snapshot.id}/`) + 1)).toEqual([
      `GET /snapshots/?server_id=${WEB}`
    ])
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })

  test('a 404 for a snapshot another job deleted meanwhile, confirmed by the list: already gone, a notice', async ({
    api
  }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'racing' })
    const step = api.step()
    const other = api.step()
    // Another job's DELETE lands between this step's lookup and its own DELETE.
    const client = step.tools.client
    const racing = Object.assign(Object.create(client) as typeof client, {
      deleteSnapshot: async (id: number) => {
        await other.tools.client.deleteSnapshot(id)
        return client.deleteSnapshot(id)
      },
      listSnapshots: (serverId?: number) => client.listSnapshots(serverId)
    })
    await DELETE_SNAPSHOT.run(settings(step, snapshot.id), { ...step.tools, client: racing })
    expect(api.writes()).toEqual([`DELETE /snapshots/${snapshot.id}/`, `DELETE /snapshots/${snapshot.id}/`])
    expect(summaryOf(step, 'notice')).toEqual([`Snapshot ${snapshot.id} "racing" was already gone: nothing to delete.`])
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })

  test('its answer lost after the API deleted it, retried and met with 404, confirmed absent: deleted by this step', async ({
    api
  }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'old' })
    api.emulator.inject('DELETE /snapshots/{id}/', { kind: 'reset-after' })
    const step = api.step()
    await DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${snapshot.id}/`, `DELETE /snapshots/${snapshot.id}/`])
    expect(snapshotIds(api)).toEqual([])
    expect(outputsOf(step).deleted_ids).toBe(`[${snapshot.id}]`)
    expect(summaryOf(step, 'notice')).toEqual([])
    expect(summaryOf(step)).toEqual([
      `Deleted snapshot ${snapshot.id} "old" of ${snapshot.created_at} on server ${WEB}.`
    ])
  })

  test('a 500 and then success: deleted, on the second DELETE', async ({ api }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'old' })
    api.emulator.inject('DELETE /snapshots/{id}/', { kind: 'status', status: 500 })
    const step = api.step()
    await DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${snapshot.id}/`, `DELETE /snapshots/${snapshot.id}/`])
    expect(snapshotIds(api)).toEqual([])
    expect(outputsOf(step).deleted_ids).toBe(`[${snapshot.id}]`)
  })

  test("one still being made: the API's 400 and its message, nothing deleted", async ({ api }) => {
    const busy = api.emulator.addSnapshot({ serverId: WEB, name: 'busy', status: 'in_progress' })
    const step = api.step()
    const error = await failureOf(DELETE_SNAPSHOT.run(settings(step, busy.id), step.tools))
    expect(error).toBe(
      `HTTP 400 from DELETE /snapshots/${busy.id}/: Snapshot ${busy.id} is still being created and cannot be deleted yet.`
    )
    expect(api.writes()).toEqual([`DELETE /snapshots/${busy.id}/`])
    expect(snapshotIds(api)).toEqual([busy.id])
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(busy.id), deleted_ids: '[]' })
  })

  test.for([400, 403, 409])(
    'a DELETE answered %i is final: one request, the step fails naming it, nothing deleted',
    async (status, { api }) => {
      const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'kept' })
      api.emulator.inject('DELETE /snapshots/{id}/', {
        kind: 'status',
        status,
        body: { detail: `Refused with ${status}.` }
      })
      const step = api.step()
      const error = await failureOf(DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools))
      const token =
        status === 403
          ? ' Check input "api_token": the API refused it (a token without the permission for this request).'
          : ''
      expect(error).toBe(`HTTP ${status} from DELETE /snapshots/${snapshot.id}/: Refused with ${status}.${token}`)
      expect(api.writes()).toEqual([`DELETE /snapshots/${snapshot.id}/`])
      expect(snapshotIds(api)).toEqual([snapshot.id])
    }
  )

  test("a wrong token: the API's 401 on the lookup, nothing deleted", async ({ api }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'kept' })
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools))
    expect(error).toBe(
      'HTTP 401 from GET /snapshots/: Invalid token. Check input "api_token": the API did not accept it.'
    )
    expect(api.writes()).toEqual([])
    expect(snapshotIds(api)).toEqual([snapshot.id])
  })

  test('dry run: names what it would delete, sends only GETs, deletes nothing', async ({ api }) => {
    const snapshot = api.emulator.addSnapshot({ serverId: WEB, name: 'doomed' })
    const step = api.step({ dryRun: true })
    await DELETE_SNAPSHOT.run(settings(step, snapshot.id), step.tools)
    expect(api.writes()).toEqual([])
    expect(snapshotIds(api)).toEqual([snapshot.id])
    expect(step.recorder.outcome.planned).toMatchObject([
      { do: 'delete', kind: 'snapshot', id: snapshot.id, serverId: WEB }
    ])
    expect(summaryOf(step)).toEqual([
      `Dry run: would delete snapshot ${snapshot.id} "doomed" of ${snapshot.created_at} on server ${WEB}.`
    ])
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })
})

describe('delete-backup', () => {
  test('deletes that backup and no other', async ({ api }) => {
    const kept = api.emulator.addBackup({ serverId: WEB, description: 'kept' })
    const doomed = api.emulator.addBackup({ serverId: DB, description: 'doomed' })
    const automatic = api.emulator.addBackup({ serverId: DB, backupType: 'automatic' })
    const step = api.step()
    await DELETE_BACKUP.run(settings(step, doomed.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /backups/${doomed.id}/`])
    expect(backupIds(api).sort()).toEqual([kept.id, automatic.id].sort())
    expect(outputsOf(step)).toEqual({
      backup_id: String(doomed.id),
      server_id: String(DB),
      deleted_ids: `[${doomed.id}]`
    })
    expect(summaryOf(step)).toEqual([`Deleted manual backup ${doomed.id} of ${doomed.created_at} on server ${DB}.`])
  })

  test('an automatic backup can be deleted by id too', async ({ api }) => {
    const automatic = api.emulator.addBackup({ serverId: WEB, backupType: 'automatic' })
    const step = api.step()
    await DELETE_BACKUP.run(settings(step, automatic.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /backups/${automatic.id}/`])
    expect(summaryOf(step)).toEqual([
      `Deleted automatic backup ${automatic.id} of ${automatic.created_at} on server ${WEB}.`
    ])
  })

  test('one that is not listed is already gone: a notice, deleted_ids [], no DELETE sent', async ({ api }) => {
    const step = api.step()
    await DELETE_BACKUP.run(settings(step, 4242), step.tools)
    expect(api.writes()).toEqual([])
    expect(summaryOf(step, 'notice')).toEqual(['Backup 4242 was already gone: nothing to delete.'])
    expect(outputsOf(step)).toEqual({ backup_id: '4242', deleted_ids: '[]' })
  })

  test("a 404 while the backup is still listed is not believed: the step fails with the API's message", async ({
    api
  }) => {
    const backup = api.emulator.addBackup({ serverId: WEB })
    api.emulator.inject('DELETE /backups/{id}/', { kind: 'status', status: 404, body: { error: 'Backup not found.' } })
    const step = api.step()
    const error = await failureOf(DELETE_BACKUP.run(settings(step, backup.id), step.tools))
    expect(error).toBe(
      `HTTP 404 from DELETE /backups/${backup.id}/: Backup not found. (yet backup ${backup.id} is still listed: check api_url)`
    )
    expect(backupIds(api)).toEqual([backup.id])
    expect(outputsOf(step).deleted_ids).toBe('[]')
  })

  test('its answer lost after the API deleted it, retried and met with 404, confirmed absent: deleted by this step', async ({
    api
  }) => {
    const backup = api.emulator.addBackup({ serverId: WEB })
    api.emulator.inject('DELETE /backups/{id}/', { kind: 'reset-after' })
    const step = api.step()
    await DELETE_BACKUP.run(settings(step, backup.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /backups/${backup.id}/`, `DELETE /backups/${backup.id}/`])
    expect(backupIds(api)).toEqual([])
    expect(outputsOf(step).deleted_ids).toBe(`[${backup.id}]`)
    expect(summaryOf(step, 'notice')).toEqual([])
  })

  test.for([
    ['HTTP 500', { kind: 'status', status: 500 }],
    ['HTTP 408', { kind: 'status', status: 408 }],
    ['HTTP 429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
    ['HTTP 503', { kind: 'status', status: 503 }],
    ['HTTP 504', { kind: 'status', status: 504 }],
    ["a proxy's HTML 502 page", { kind: 'html', status: 502 }],
    ['a connection reset before the answer', { kind: 'reset-before' }]
  ] as const)('%s and then success: deleted, on the second DELETE', async ([, fault], { api }) => {
    const backup = api.emulator.addBackup({ serverId: WEB, description: 'old' })
    api.emulator.inject('DELETE /backups/{id}/', fault)
    const step = api.step()
    await DELETE_BACKUP.run(settings(step, backup.id), step.tools)
    expect(api.writes()).toEqual([`DELETE /backups/${backup.id}/`, `DELETE /backups/${backup.id}/`])
    expect(backupIds(api)).toEqual([])
    expect(outputsOf(step).deleted_ids).toBe(`[${backup.id}]`)
    // The retry is said in the log.
    expect(
      logOf(step).some(line => line.startsWith(`DELETE /backups/${backup.id}/: `) && line.includes('trying again'))
    ).toBe(true)
  })

  test("one still being made: the API's 400 and its message, nothing deleted", async ({ api }) => {
    const busy = api.emulator.addBackup({ serverId: WEB, status: 'in_progress' })
    const step = api.step()
    const error = await failureOf(DELETE_BACKUP.run(settings(step, busy.id), step.tools))
    expect(error).toBe(
      `HTTP 400 from DELETE /backups/${busy.id}/: Backup ${busy.id} is still being created and cannot be deleted yet.`
    )
    expect(backupIds(api)).toEqual([busy.id])
  })

  test("a wrong token: the API's 401 on the lookup, nothing deleted", async ({ api }) => {
    const backup = api.emulator.addBackup({ serverId: WEB })
    const step = api.step({ apiToken: 'wrong-token' })
    const error = await failureOf(DELETE_BACKUP.run(settings(step, backup.id), step.tools))
    expect(error).toBe(
      'HTTP 401 from GET /backups/: Invalid token. Check input "api_token": the API did not accept it.'
    )
    expect(api.writes()).toEqual([])
    expect(backupIds(api)).toEqual([backup.id])
  })

  test('dry run: names what it would delete, or that it is already gone, sending only GETs', async ({ api }) => {
    const backup = api.emulator.addBackup({ serverId: WEB })
    const step = api.step({ dryRun: true })
    await DELETE_BACKUP.run(settings(step, backup.id), step.tools)
    expect(summaryOf(step)).toEqual([
      `Dry run: would delete manual backup ${backup.id} of ${backup.created_at} on server ${WEB}.`
    ])
    const gone = api.step({ dryRun: true })
    await DELETE_BACKUP.run(settings(gone, 4242), gone.tools)
    expect(summaryOf(gone, 'notice')).toEqual(['Backup 4242 was already gone: nothing to delete.'])
    expect(gone.recorder.outcome.planned).toEqual([])
    expect(api.writes()).toEqual([])
    expect(backupIds(api)).toEqual([backup.id])
  })
})
