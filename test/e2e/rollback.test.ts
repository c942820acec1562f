// The safety net at the process boundary: which main steps arm the rollback (only one that
// succeeded with a completed item), what the post step does with it (restores exactly that,
// always waits), and what it prints when there is nothing to do (nothing at all). The runner's
// protocol is the real one: INPUT_*, GITHUB_STATE handed to the post step as STATE_*.
import { describe, expect } from 'vitest'
import {
  WEB,
  calls,
  expectFailure,
  expectSuccess,
  minutesAgo,
  readLog,
  restores,
  serverRows,
  step,
  summaryText,
  test,
  warnings,
  writes
} from '../support/steps.ts'

const snapshotStep = (inputs: Record<string, string> = {}) => ({
  operation: 'create-snapshot',
  server_id: String(WEB),
  rollback_on_failure: 'true',
  ...inputs
})

describe.concurrent('a main step that failed arms nothing', () => {
  test('a snapshot whose wait times out: the step fails, and its post step restores nothing and prints nothing', async ({
    emulator
  }) => {
    emulator.setJobSeconds(60)
    const inputs = snapshotStep({ timeout: '3s' })
    const main = await step(emulator, inputs)
    expectFailure(main, 'timed out waiting for snapshot')
    expect(main.state.rollback).toBeUndefined()
    const from = emulator.requests.length
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toBe('')
    expect(post.summary).toBe('')
    expect(calls(emulator, from)).toEqual([])
  })

  test('a snapshot whose job fails: the step fails, and its post step restores nothing', async ({ emulator }) => {
    emulator.failNextJob('snapshot', 'failed')
    const inputs = snapshotStep()
    const main = await step(emulator, inputs)
    expectFailure(main, 'ended with status "failed"')
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expect(post.stdout).toBe('')
    expect(restores(emulator)).toEqual([])
  })

  test('rollback_on_failure with wait false on a create: refused before any request, naming both inputs and the wait step', async ({
    emulator
  }) => {
    const main = await step(emulator, snapshotStep({ wait: 'false' }))
    const error = expectFailure(
      main,
      'input "rollback_on_failure"',
      'input "wait" is false',
      'wait-snapshot step right before the deploy'
    )
    expect(error).not.toContain('HTTP')
    expect(emulator.requests).toEqual([])
  })
})

describe.concurrent('a main step that succeeded with a completed item arms the rollback', () => {
  test('create-snapshot: the post step restores exactly that snapshot, waits until the server runs again, creates nothing', async ({
    emulator
  }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'gha-older', createdAt: minutesAgo(60) })
    const inputs = snapshotStep()
    const main = await step(emulator, inputs)
    expectSuccess(main)
    const created = Number(main.outputs.snapshot_id)
    // A newer completed snapshot appears later in the job: "latest" would pick it, the rollback must not.
    emulator.addSnapshot({
      serverId: WEB,
      name: 'gha-newer',
      createdAt: new Date(Date.now() + 3_600_000).toISOString()
    })
    const from = emulator.requests.length
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectSuccess(post)
    expect(writes(emulator, from)).toEqual([`POST /snapshots/${created}/restore/`])
    expect(calls(emulator, from).at(-1)).toBe(`GET /servers/${WEB}/`)
    // A post step's outputs reach no later step: it writes none; its summary says what it restored.
    expect(post.outputs).toEqual({})
    expect(summaryText(post)).toContain(
      `#### Rollback\n\nRolled back: server ${WEB} restored from snapshot ${created}.`
    )
    // The server's group says what it was restored from and that it runs again; the summary's row, how it ended.
    const [group] = readLog(post.stdout).groups
    expect(group?.title).toMatch(new RegExp(`^Server ${WEB}: restore from snapshot ${created}, server running, `))
    expect(group?.lines).toContain(`Server ${WEB} is running again after the restore.`)
    expect(serverRows(post)).toEqual([
      expect.objectContaining({
        server: String(WEB),
        item: expect.stringMatching(new RegExp(`^snapshot ${created} `)),
        'server status': 'running',
        error: ''
      })
    ])
  })

  test('create-backup: the post step restores that backup through the Servers API', async ({ emulator }) => {
    const inputs = { operation: 'create-backup', server_id: String(WEB), rollback_on_failure: 'true' }
    const main = await step(emulator, inputs)
    expectSuccess(main)
    const from = emulator.requests.length
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectSuccess(post)
    expect(writes(emulator, from)).toEqual([`POST /servers/${WEB}/restore/`])
    expect(emulator.requests.slice(from).find(request => request.method === 'POST')?.body).toEqual({
      backup_id: Number(main.outputs.backup_id)
    })
  })

  test('wait later: the create with wait false arms nothing; wait-snapshot arms, and its post step waits until the server is back', async ({
    emulator
  }) => {
    const create = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), wait: 'false' })
    expectSuccess(create)
    expect(create.state.rollback).toBeUndefined()
    const waitInputs = {
      operation: 'wait-snapshot',
      server_id: String(WEB),
      snapshot_id: create.outputs.snapshot_id ?? '',
      rollback_on_failure: 'true'
    }
    const waited = await step(emulator, waitInputs)
    expectSuccess(waited)
    const post = await step(emulator, waitInputs, { post: { state: waited.state } })
    expectSuccess(post)
    expect(restores(emulator)).toEqual([`POST /snapshots/${create.outputs.snapshot_id}/restore/`])
    expect(serverRows(post)).toEqual([expect.objectContaining({ server: String(WEB), 'server status': 'running' })])
    expect(emulator.server(WEB)?.status).toBe('running')
  })

  test('a rotation delete that fails after the snapshot completed: a warning, the step succeeds and stays armed', async ({
    emulator
  }) => {
    const old = emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-1-1-aaaaaa', createdAt: minutesAgo(60) })
    emulator.inject('DELETE /snapshots/{id}/', { kind: 'status', status: 409, body: { detail: 'Snapshot is locked.' } })
    const inputs = snapshotStep({ keep: '1' })
    const main = await step(emulator, inputs)
    expectSuccess(main)
    expect(warnings(main)).toEqual([expect.stringContaining(`Rotation could not delete snapshot ${old.id}`)])
    // The summary copies a server's warning, naming the server.
    expect(summaryText(main)).toContain(`**Warning:** Rotation could not delete snapshot ${old.id}`)
    const armed = `Rollback armed: if a later step of this job fails, the post step restores server ${WEB} from snapshot ${main.outputs.snapshot_id}.`
    expect(readLog(main.stdout).outside).toContain(armed)
    expect(summaryText(main)).toContain(armed)
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectSuccess(post)
    expect(restores(emulator)).toEqual([`POST /snapshots/${main.outputs.snapshot_id}/restore/`])
  })
})

describe.concurrent('the post step', () => {
  test('of a step that armed nothing prints nothing at all, whatever the operation', async ({ emulator }) => {
    const steps: Array<Record<string, string>> = [
      { operation: 'list-snapshots' },
      { operation: 'create-snapshot', server_id: String(WEB) },
      { operation: 'restore-snapshot', server_id: String(WEB), snapshot_id: 'latest' }
    ]
    for (const inputs of steps) {
      const post = await step(emulator, inputs, { post: { state: { isPost: 'true' } } })
      expect(post.exitCode).toBe(0)
      expect(post.stdout).toBe('')
      expect(post.stderr).toBe('')
    }
    expect(emulator.requests).toEqual([])
  })

  test('that cannot roll back (the armed snapshot is gone): one error naming the server and why, a summary, exit 1', async ({
    emulator
  }) => {
    const inputs = snapshotStep()
    const main = await step(emulator, inputs)
    expectSuccess(main)
    await step(emulator, { operation: 'delete-snapshot', snapshot_id: main.outputs.snapshot_id ?? '' })
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectFailure(
      post,
      `rollback failed: server ${WEB} could not be rolled back from snapshot ${main.outputs.snapshot_id}`,
      'no longer exists'
    )
    expect(summaryText(post)).toContain('VPS.org rollback: failed')
    expect(restores(emulator)).toEqual([])
  })

  test("whose restore is refused: one error naming the server and the API's answer, exit 1", async ({ emulator }) => {
    const inputs = snapshotStep()
    const main = await step(emulator, inputs)
    expectSuccess(main)
    emulator.inject('POST /snapshots/{id}/restore/', {
      kind: 'status',
      status: 400,
      body: { error: 'Server is not in a valid state for restoration.' }
    })
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectFailure(
      post,
      `server ${WEB} could not be rolled back`,
      'HTTP 400',
      'Server is not in a valid state for restoration.'
    )
  })

  test('always waits, and a restore that does not end within timeout fails it', async ({ emulator }) => {
    const inputs = snapshotStep({ timeout: '3s' })
    const main = await step(emulator, inputs)
    expectSuccess(main)
    emulator.setRestoreSeconds(60)
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectFailure(post, `server ${WEB} could not be rolled back`, 'timed out waiting for server')
  })
})

describe.concurrent('a restore is finished only when the server is at rest again', () => {
  test('a server reporting stopping, then restoring, is waited for until it runs', async ({ emulator }) => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'pre-deploy' })
    const server = (status: string) => ({
      kind: 'status' as const,
      status: 200,
      body: { id: WEB, name: 'web-server-01', status }
    })
    emulator.inject('GET /servers/{id}/', server('stopping'), server('stopping'), server('restoring'))
    const result = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(snapshot.id) })
    expectSuccess(result)
    expect(result.outputs.status).toBe('running')
    expect(calls(emulator).filter(call => call === `GET /servers/${WEB}/`).length).toBeGreaterThanOrEqual(4)
    expect(result.stdout).toMatch(/server 12345: stopping/)
    const [group] = readLog(result.stdout).groups
    expect(group?.title).toMatch(new RegExp(`^Server ${WEB}: restore from snapshot ${snapshot.id}, server running, `))
    expect(group?.lines).toContain(`Server ${WEB} is running again after the restore.`)
    expect(serverRows(result)).toEqual([
      expect.objectContaining({ server: String(WEB), 'server status': 'running', error: '' })
    ])
  })
})
