// create-snapshot and create-backup end to end: the bundle against a fresh emulator per test.
import { describe, expect, it } from 'vitest'
import { RUN_CONTEXT } from '../harness/runner.ts'
import {
  WEB, WELL_BEFORE_MS, calls, expectFailure, expectSuccess, markerPattern, start, step, summaryText, writes
} from './helpers.ts'

const SHORT_SHA = (RUN_CONTEXT.GITHUB_SHA ?? '').slice(0, 7)
/** What the generated description must name: the repository, the commit and the run. */
const GENERATED_DESCRIPTION = [RUN_CONTEXT.GITHUB_REPOSITORY ?? '', SHORT_SHA, RUN_CONTEXT.GITHUB_RUN_ID ?? '']

describe.concurrent('create-snapshot', () => {
  it('creates a snapshot with a generated name, waits until it is completed and reports it', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectSuccess(result)
      const [snapshot] = emulator.snapshots(WEB)
      expect(emulator.snapshots()).toHaveLength(1)
      expect(snapshot?.status).toBe('completed')
      expect(snapshot?.name).toMatch(new RegExp(`^${markerPattern()}$`))
      for (const part of GENERATED_DESCRIPTION) expect(snapshot?.description).toContain(part)

      expect(result.outputs).toMatchObject({
        snapshot_id: String(snapshot?.id),
        snapshot_name: snapshot?.name,
        server_id: String(WEB),
        status: 'completed',
        size_mb: String(snapshot?.size_mb),
        created_at: snapshot?.created_at
      })
      // One POST with the documented body, the server's own state read beside it (for the
      // running-server notice), then status checks of the server's list only.
      const post = emulator.requests.findIndex(request => request.method === 'POST')
      expect(emulator.requests[post]).toMatchObject({
        method: 'POST',
        path: '/api/v1/snapshots/',
        body: { server_id: WEB, name: snapshot?.name, description: snapshot?.description },
        authorization: 'Bearer emulator-token'
      })
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
      const checks = calls(emulator, post + 1).filter(call => call !== `GET /servers/${WEB}/`)
      expect(checks.length).toBeGreaterThan(0)
      expect(new Set(checks)).toEqual(new Set([`GET /snapshots/?server_id=${WEB}`]))
      expect(result.stdout).toContain(`::notice::Server ${WEB} is running`)
      expect(result.state.rollbackTarget).toBeUndefined()

      const summary = summaryText(result)
      expect(summary).toContain('create-snapshot: done')
      expect(summary).toContain(`${snapshot?.id}`)
      expect(summary).toContain(snapshot?.name)
      expect(summary).toContain('completed')
      expect(summary).toContain(`${snapshot?.size_mb} MB`)
      expect(summary).toContain('time taken')
    } finally {
      await emulator.close()
    }
  })

  it('with wait false, returns at once with the snapshot still in_progress', async () => {
    const emulator = await start({ jobSeconds: 30 })
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), wait: 'false' })
      expectSuccess(result)
      expect(new Set(calls(emulator))).toEqual(new Set(['POST /snapshots/', `GET /servers/${WEB}/`]))
      expect(result.outputs).toMatchObject({ snapshot_id: '801', status: 'in_progress', server_id: String(WEB) })
      expect(result.outputs.snapshot_name).toMatch(new RegExp(`^${markerPattern()}$`))
      expect(emulator.snapshots(WEB).map(snapshot => snapshot.status)).toEqual(['in_progress'])
      expect(summaryText(result)).toContain('Started snapshot 801')
    } finally {
      await emulator.close()
    }
  })

  it('uses the name given, and name_prefix for a generated one', async () => {
    const emulator = await start()
    try {
      const named = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), name: 'pre-deploy_v2' })
      expectSuccess(named)
      expect(named.outputs.snapshot_name).toBe('pre-deploy_v2')
      const prefixed = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), name_prefix: 'ci_' })
      expectSuccess(prefixed)
      expect(prefixed.outputs.snapshot_name).toMatch(new RegExp(`^${markerPattern('ci_')}$`))
      expect(emulator.snapshots(WEB).map(snapshot => snapshot.name)).toEqual([prefixed.outputs.snapshot_name, 'pre-deploy_v2'])
    } finally {
      await emulator.close()
    }
  })

  it('fails when the job fails, naming the status, with snapshot_id and status still set', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('snapshot')
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectFailure(result, 'create-snapshot', 'snapshot 801', '"failed"')
      expect(result.outputs).toMatchObject({ snapshot_id: '801', status: 'failed', server_id: String(WEB) })
      expect(result.outputs.snapshot_name).toMatch(new RegExp(`^${markerPattern()}$`))
      expect(summaryText(result)).toContain('**Error:** create-snapshot failed')
    } finally {
      await emulator.close()
    }
  })

  it('times out well before the job would end, saying so, with the outputs set', async () => {
    const emulator = await start({ jobSeconds: 30 })
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), timeout: '2s' })
      expectFailure(result, 'create-snapshot', 'timed out', 'snapshot 801')
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
      expect(result.outputs).toMatchObject({ snapshot_id: '801', status: 'in_progress' })
    } finally {
      await emulator.close()
    }
  })

  it('fails on an unknown server with the HTTP status and the API message', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '99999' })
      expectFailure(result, 'create-snapshot', 'HTTP 404', 'Server not found.')
      expect(emulator.snapshots()).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('fails on a wrong token with HTTP 401 and the API message, creating nothing', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), api_token: 'not-the-token' })
      expectFailure(result, 'create-snapshot', 'HTTP 401', 'Invalid token.')
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
      expect(emulator.requests.every(request => request.authorization === 'Bearer not-the-token')).toBe(true)
      expect(emulator.snapshots()).toEqual([])
      expect(result.outputs.snapshot_id).toBeUndefined()
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('create-backup', () => {
  it('creates a manual backup whose description starts with the marker, then the generated text', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectSuccess(result)
      const [backup] = emulator.backups(WEB)
      expect(emulator.backups()).toHaveLength(1)
      expect(backup).toMatchObject({ backup_type: 'manual', status: 'completed', expires_at: null })
      expect(backup?.description).toMatch(new RegExp(`^${markerPattern()} \\S`))
      for (const part of GENERATED_DESCRIPTION) expect(backup?.description).toContain(part)

      expect(result.outputs).toMatchObject({
        backup_id: String(backup?.id),
        server_id: String(WEB),
        status: 'completed',
        size_mb: String(backup?.size_mb),
        created_at: backup?.created_at
      })
      expect(result.outputs.snapshot_id).toBeUndefined()
      expect(emulator.requests[0]).toMatchObject({
        method: 'POST', path: '/api/v1/backups/', body: { server_id: WEB, description: backup?.description }
      })
      expect(new Set(calls(emulator, 1))).toEqual(new Set([`GET /backups/?server_id=${WEB}`]))
      expect(writes(emulator)).toEqual(['POST /backups/'])

      const summary = summaryText(result)
      expect(summary).toContain('create-backup: done')
      expect(summary).toContain(`manual backup ${backup?.id}`)
      expect(summary).toContain('completed')
    } finally {
      await emulator.close()
    }
  })

  it('keeps the user description after the marker', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), description: 'Release 1.2 (hotfix)' })
      expectSuccess(result)
      expect(emulator.backups(WEB)[0]?.description).toMatch(new RegExp(`^${markerPattern()} Release 1\\.2 \\(hotfix\\)$`))
    } finally {
      await emulator.close()
    }
  })

  it('with wait false, returns at once with the backup still in_progress', async () => {
    const emulator = await start({ jobSeconds: 30 })
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), wait: 'false' })
      expectSuccess(result)
      expect(calls(emulator)).toEqual(['POST /backups/'])
      expect(result.outputs).toMatchObject({ backup_id: '501', status: 'in_progress', server_id: String(WEB) })
      expect(emulator.backups(WEB).map(backup => backup.status)).toEqual(['in_progress'])
    } finally {
      await emulator.close()
    }
  })

  it('fails when the job fails, naming the status, with backup_id and status still set', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('backup', 'error')
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectFailure(result, 'create-backup', 'backup 501', '"error"')
      expect(result.outputs).toMatchObject({ backup_id: '501', status: 'error', server_id: String(WEB) })
    } finally {
      await emulator.close()
    }
  })

  it('times out well before the job would end, saying so, with the outputs set', async () => {
    const emulator = await start({ jobSeconds: 30 })
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), timeout: '2' })
      expectFailure(result, 'create-backup', 'timed out', 'backup 501')
      expect(result.durationMs).toBeLessThan(WELL_BEFORE_MS)
      expect(result.outputs).toMatchObject({ backup_id: '501', status: 'in_progress' })
    } finally {
      await emulator.close()
    }
  })

  it('fails on an unknown server with the HTTP status and the API message (a "message" body)', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: '99999' })
      expectFailure(result, 'create-backup', 'HTTP 404', 'Server not found.')
      expect(writes(emulator)).toEqual(['POST /backups/'])
      expect(emulator.backups()).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('fails on a wrong token with HTTP 401 and the API message, creating nothing', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), api_token: 'not-the-token' })
      expectFailure(result, 'create-backup', 'HTTP 401', 'Invalid token.')
      expect(emulator.backups()).toEqual([])
    } finally {
      await emulator.close()
    }
  })
})
