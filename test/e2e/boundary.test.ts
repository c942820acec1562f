// What only the process boundary shows, through the committed bundle as the runner starts it:
// every operation once (INPUT_* in, GITHUB_OUTPUT and the job summary out, exit 0), bad input
// failing with one error line and exit 1 before any request, the token masked, unused inputs
// named. The behaviour of each operation in depth is in test/operations/, in-process.
import { describe, expect } from 'vitest'
import {
  DB,
  WEB,
  expectFailure,
  expectNoLeak,
  expectSuccess,
  minutesAgo,
  start,
  step,
  test,
  warnings
} from '../support/steps.ts'

describe.concurrent('every operation, once', () => {
  test('create-snapshot, then wait-snapshot, list-snapshots, restore-snapshot, prune-snapshots and delete-snapshot', async ({
    emulator
  }) => {
    const older = [3, 2].map(
      hours =>
        emulator.addSnapshot({
          serverId: WEB,
          name: `gha-acme-shop-${hours}-1-abcdef`,
          createdAt: minutesAgo(hours * 60)
        }).id
    )
    const created = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), wait: 'false' })
    expectSuccess(created)
    const id = created.outputs.snapshot_id ?? ''
    expect(created.outputs).toMatchObject({
      server_id: String(WEB),
      status: 'in_progress',
      snapshot_name: expect.stringMatching(/^gha-acme-shop-9876543210-1-[0-9a-f]{6}$/)
    })
    expect(created.summary).toContain('<h3>VPS.org create-snapshot: done</h3>')

    const waited = await step(emulator, { operation: 'wait-snapshot', server_id: String(WEB), snapshot_id: id })
    expectSuccess(waited)
    expect(waited.outputs).toMatchObject({ snapshot_id: id, status: 'completed' })

    const listed = await step(emulator, { operation: 'list-snapshots', server_id: String(WEB) })
    expectSuccess(listed)
    expect(listed.outputs.count).toBe('3')
    expect((JSON.parse(listed.outputs.items ?? '[]') as Array<{ id: number }>)[0]?.id).toBe(Number(id))

    const restored = await step(emulator, {
      operation: 'restore-snapshot',
      server_id: String(WEB),
      snapshot_id: 'latest'
    })
    expectSuccess(restored)
    expect(restored.outputs).toMatchObject({ snapshot_id: id, server_id: String(WEB), status: 'running' })

    const pruned = await step(emulator, { operation: 'prune-snapshots', server_id: String(WEB), keep: '2' })
    expectSuccess(pruned)
    expect(pruned.outputs.deleted_ids).toBe(JSON.stringify([older[0]]))

    const deleted = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(older[1]) })
    expectSuccess(deleted)
    expect(deleted.outputs.deleted_ids).toBe(JSON.stringify([older[1]]))
    expect(emulator.snapshots(WEB).map(snapshot => String(snapshot.id))).toEqual([id])
  })

  test('create-backup, then wait-backup, list-backups, restore-backup, prune-backups and delete-backup', async ({
    emulator
  }) => {
    const older = emulator.addBackup({
      serverId: WEB,
      description: 'gha-acme-shop-1-1-abcdef Before deploy',
      createdAt: minutesAgo(60)
    }).id
    emulator.addBackup({ serverId: WEB, backupType: 'automatic', createdAt: minutesAgo(120) })
    const created = await step(emulator, {
      operation: 'create-backup',
      server_id: String(WEB),
      wait: 'false',
      description: 'Before the 2.0 release'
    })
    expectSuccess(created)
    const id = created.outputs.backup_id ?? ''
    const waited = await step(emulator, { operation: 'wait-backup', server_id: String(WEB), backup_id: id })
    expectSuccess(waited)
    expect(waited.outputs).toMatchObject({ backup_id: id, status: 'completed' })

    const listed = await step(emulator, { operation: 'list-backups', server_id: String(WEB), backup_type: 'manual' })
    expectSuccess(listed)
    expect(listed.outputs.count).toBe('2')

    const restored = await step(emulator, { operation: 'restore-backup', server_id: String(WEB), backup_id: id })
    expectSuccess(restored)
    expect(restored.outputs).toMatchObject({ backup_id: id, server_id: String(WEB), status: 'running' })

    const pruned = await step(emulator, { operation: 'prune-backups', server_id: String(WEB), keep: '1' })
    expectSuccess(pruned)
    expect(pruned.outputs.deleted_ids).toBe(JSON.stringify([older]))

    const deleted = await step(emulator, { operation: 'delete-backup', backup_id: id })
    expectSuccess(deleted)
    expect(emulator.backups(WEB).map(backup => backup.backup_type)).toEqual(['automatic'])
  })
})

describe.concurrent('bad input fails the step before any request, with one error naming the input', () => {
  const create = { operation: 'create-snapshot', server_id: String(WEB) }
  test.for<[string, Record<string, string>, string]>([
    [
      'an unknown operation',
      { operation: 'snapshot', server_id: String(WEB) },
      'input "operation" must be one of create-snapshot,'
    ],
    [
      'a missing server_id',
      { operation: 'create-backup' },
      'input "server_id" is required by operation "create-backup"'
    ],
    [
      'a server_id that is not a positive integer',
      { ...create, server_id: '12345abc' },
      'input "server_id" must be a positive integer; got "12345abc"'
    ],
    [
      'a name with a space',
      { ...create, name: 'pre deploy' },
      'input "name" may hold only letters, digits, "-" and "_"; got "pre deploy"'
    ],
    [
      'an http:// api_url to a remote host',
      { ...create, api_url: 'http://admin.vps.org/api/v1' },
      'input "api_url" must start with https://'
    ],
    ['a timeout in words', { ...create, timeout: '10 minutes' }, 'input "timeout" must be seconds'],
    ['a negative keep', { ...create, keep: '-1' }, 'input "keep" must be a whole number, 0 or more; got "-1"']
  ])('%s', async ([, inputs, error], { emulator }) => {
    const result = await step(emulator, inputs)
    expectFailure(result, error)
    expect(result.summary).toContain(': failed</h3>')
    expect(emulator.requests).toEqual([])
  })

  test('a token with a line break: refused, and no part of it printed', async ({ emulator }) => {
    const token = 'vps_first-part\nsecond-part'
    const result = await step(emulator, { operation: 'list-snapshots', api_token: token })
    expectFailure(result, 'input "api_token" must be a single line')
    for (const line of result.stdout.split('\n').filter(line => !line.startsWith('::add-mask::'))) {
      expect(line).not.toContain('first-part')
      expect(line).not.toContain('second-part')
    }
    expect(emulator.requests).toEqual([])
  })
})

describe.concurrent('the token', () => {
  const SECRET = 'vps-Secret-7f3a9c'

  test('appears only in ::add-mask:: lines, debug logging on, whether the API accepts it or not', async () => {
    const emulator = await start({ token: SECRET })
    try {
      const debug = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }
      const created = await step(
        emulator,
        { operation: 'create-snapshot', server_id: String(WEB), api_token: SECRET, keep: '1' },
        { env: debug }
      )
      expectSuccess(created)
      // Debug logging is on: every request is logged, the create's among them.
      expect(created.stdout).toContain('::debug::POST /snapshots/ → 201')
      expect(created.stdout.split('\n').filter(line => line.includes(SECRET))).toEqual([`::add-mask::${SECRET}`])
      expect(emulator.requests.every(request => request.authorization === `Bearer ${SECRET}`)).toBe(true)
      const refused = await step(emulator, { operation: 'list-snapshots', api_token: `${SECRET}-old` }, { env: debug })
      expectFailure(refused, 'HTTP 401')
      expectNoLeak(refused, SECRET)
      expect(refused.summary).not.toContain(SECRET)
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('an input the operation does not read', () => {
  test('is named in a warning, and the step goes on', async ({ emulator }) => {
    const result = await step(emulator, {
      operation: 'list-snapshots',
      server_id: String(DB),
      keep: '3',
      wait: 'false'
    })
    expectSuccess(result)
    expect(warnings(result).sort()).toEqual([
      '::warning::Input "keep" is not used by operation "list-snapshots" and was ignored.',
      '::warning::Input "wait" is not used by operation "list-snapshots" and was ignored.'
    ])
  })
})
