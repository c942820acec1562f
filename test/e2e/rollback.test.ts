// Deploy safety, rollback: the main step saves what it created, and the post step (which the
// runner starts only when the job failed) restores exactly that, and creates nothing.
import { describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../emulator/server.ts'
import {
  WEB, calls, describeRequest, expectFailure, expectSuccess, minutesAgo, start, step, summaryText, warnings, writes
} from './helpers.ts'

function restoresIn(requests: RecordedRequest[]): string[] {
  return requests.filter(request => request.method === 'POST' && request.path.endsWith('/restore/')).map(describeRequest)
}

describe.concurrent('rollback', () => {
  it('create-snapshot: the post step restores exactly the snapshot created, waits, and creates nothing', async () => {
    const emulator = await start()
    try {
      emulator.addSnapshot({ serverId: WEB, name: 'gha-older', createdAt: minutesAgo(60) })
      const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const created = Number(main.outputs.snapshot_id)
      expect(JSON.parse(main.state.rollbackTarget ?? '')).toEqual({ kind: 'snapshot', id: created, serverId: WEB })
      // A newer completed snapshot appears later in the job: "latest" would pick it, the rollback must not.
      emulator.addSnapshot({ serverId: WEB, name: 'gha-newer', createdAt: new Date(Date.now() + 3_600_000).toISOString() })

      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      const postRequests = emulator.requests.slice(from)
      expect(restoresIn(postRequests)).toEqual([`POST /snapshots/${created}/restore/`])
      expect(writes(emulator, from)).toEqual([`POST /snapshots/${created}/restore/`])
      expect(calls(emulator, from).at(-1)).toBe(`GET /servers/${WEB}/`)
      expect(emulator.server(WEB)?.status).toBe('running')
      expect(emulator.snapshots(WEB)).toHaveLength(3)
      expect(post.outputs).toMatchObject({ snapshot_id: String(created), server_id: String(WEB), status: 'running' })
      const summary = summaryText(post)
      expect(summary).toContain('rollback')
      expect(summary).toContain(`restoring server ${WEB} from snapshot ${created}`)
    } finally {
      await emulator.close()
    }
  })

  it('create-backup: the post step restores exactly the backup created through the Servers API', async () => {
    const emulator = await start()
    try {
      emulator.addBackup({ serverId: WEB, backupType: 'automatic', createdAt: minutesAgo(30) })
      const inputs = { operation: 'create-backup', server_id: String(WEB), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const created = Number(main.outputs.backup_id)
      emulator.addBackup({ serverId: WEB, backupType: 'automatic', createdAt: new Date(Date.now() + 3_600_000).toISOString() })

      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(writes(emulator, from)).toEqual([`POST /servers/${WEB}/restore/`])
      expect(emulator.requests.slice(from).find(request => request.method === 'POST')?.body).toEqual({ backup_id: created })
      expect(calls(emulator, from).at(-1)).toBe(`GET /servers/${WEB}/`)
      expect(post.outputs).toMatchObject({ backup_id: String(created), server_id: String(WEB), status: 'running' })
    } finally {
      await emulator.close()
    }
  })

  it('rollback off: nothing saved, and the post step sends nothing and says why', async () => {
    const emulator = await start()
    try {
      const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'false' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      expect(main.state.rollbackTarget).toBeUndefined()
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(calls(emulator, from)).toEqual([])
      expect(post.stdout).toContain('No rollback: rollback_on_failure is not true')
    } finally {
      await emulator.close()
    }
  })

  it('nothing created because the create was refused: the post step sends nothing and says why', async () => {
    const emulator = await start()
    try {
      const inputs = { operation: 'create-snapshot', server_id: '99999', rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectFailure(main, 'HTTP 404')
      expect(main.state.rollbackTarget).toBeUndefined()
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(calls(emulator, from)).toEqual([])
      expect(post.stdout).toContain('No rollback: the main step created nothing')
    } finally {
      await emulator.close()
    }
  })

  it('nothing created in a dry run: the post step sends nothing and says why', async () => {
    const emulator = await start()
    try {
      const inputs = { operation: 'create-backup', server_id: String(WEB), rollback_on_failure: 'true', dry_run: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      expect(main.state.rollbackTarget).toBeUndefined()
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(emulator.requests).toEqual([])
      expect(post.stdout).toContain('No rollback: the main step created nothing')
    } finally {
      await emulator.close()
    }
  })

  it('nothing created because an input was bad: the post step sends nothing, says why, and does not fail', async () => {
    const emulator = await start()
    try {
      const inputs = { operation: 'create-snapshot', server_id: 'web-01', rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectFailure(main, 'input "server_id"')
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expect(emulator.requests).toEqual([])
      expect(post.errors).toEqual([])
      expect(post.exitCode).toBe(0)
      expect(post.stdout).toContain('No rollback')
    } finally {
      await emulator.close()
    }
  })

  it('the created snapshot ended failed: no restore, a warning', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('snapshot')
      const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectFailure(main, '"failed"')
      expect(JSON.parse(main.state.rollbackTarget ?? '')).toMatchObject({ kind: 'snapshot', id: Number(main.outputs.snapshot_id) })
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expect(post.exitCode).toBe(0)
      expect(writes(emulator, from)).toEqual([])
      expect(warnings(post).join('\n')).toContain(`snapshot ${main.outputs.snapshot_id}`)
      expect(warnings(post).join('\n')).toContain('failed')
      expect(emulator.server(WEB)?.status).toBe('running')
    } finally {
      await emulator.close()
    }
  })

  it('the created backup ended failed: no restore, a warning', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('backup')
      const inputs = { operation: 'create-backup', server_id: String(WEB), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectFailure(main, '"failed"')
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expect(post.exitCode).toBe(0)
      expect(writes(emulator, from)).toEqual([])
      expect(warnings(post).join('\n')).toContain(`backup ${main.outputs.backup_id}`)
    } finally {
      await emulator.close()
    }
  })

  it('a snapshot still in progress when the job failed: the post step waits for it, then restores it', async () => {
    const emulator = await start({ jobSeconds: 1 })
    try {
      const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true', wait: 'false' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      expect(main.outputs.status).toBe('in_progress')
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(writes(emulator, from)).toEqual([`POST /snapshots/${main.outputs.snapshot_id}/restore/`])
    } finally {
      await emulator.close()
    }
  })

  // The rollback waits as the step's own `wait` and `timeout` say (the contract's rule), so a
  // create with `wait: false` gets a rollback that is sent but not awaited.
  it('with wait false on the create, the post step sends the restore and, as wait says, does not wait for it', async () => {
    const emulator = await start()
    try {
      const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true', wait: 'false' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const from = emulator.requests.length
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(writes(emulator, from)).toEqual([`POST /snapshots/${main.outputs.snapshot_id}/restore/`])
      expect(calls(emulator, from)).not.toContain(`GET /servers/${WEB}/`)
      expect(post.outputs.status).toBe('stopping')
    } finally {
      await emulator.close()
    }
  })
})
