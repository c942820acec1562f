// Results at the edges, each as a new user met it, through the committed bundle: what rotation
// counts as the action's own, a 404 taken at its word, a dry run that checked nothing, lost
// answers, long lists, the bounds of timeout, and what the log and the summary say.
import { describe, expect } from 'vitest'
import {
  WEB,
  calls,
  expectFailure,
  expectSuccess,
  minutesAgo,
  notices,
  readLog,
  restores,
  serverRows,
  start,
  step,
  summaryText,
  test,
  warnings,
  writes
} from '../support/steps.ts'

describe.concurrent('rotation', () => {
  test("counts a snapshot with a custom name as the action's own, by the marker opening its description", async ({
    emulator
  }) => {
    // Five earlier runs of `name: pre-deploy-<n>`, as the action made them.
    for (let run = 1; run <= 5; run++) {
      emulator.addSnapshot({
        serverId: WEB,
        name: `pre-deploy-${run}`,
        createdAt: minutesAgo(60 - run),
        description: `gha-acme-shop-${run}-1-abcdef Before deploy`
      })
    }
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      name: 'pre-deploy-6',
      keep: '3'
    })
    expectSuccess(result)
    expect(emulator.snapshots(WEB).map(snapshot => snapshot.name)).toEqual([
      'pre-deploy-6',
      'pre-deploy-5',
      'pre-deploy-4'
    ])
  })

  test('with wait false says in the summary that rotation was skipped', async ({ emulator }) => {
    for (const age of [3, 2, 1])
      emulator.addSnapshot({ serverId: WEB, name: `gha-acme-shop-${age}-1-cccccc`, createdAt: minutesAgo(age * 60) })
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      keep: '2',
      wait: 'false'
    })
    expectSuccess(result)
    expect(summaryText(result)).toContain(
      'Deletions after the create skipped: the new snapshot is not completed yet (wait is false). Run prune-snapshots once it is.'
    )
  })
})

describe.concurrent('a 404 is an answer about an item only when a list confirms it', () => {
  test("a delete through a wrong api_url fails with the API's 404, and the snapshot is still there", async ({
    emulator
  }) => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'keep-me' })
    const result = await step(emulator, {
      operation: 'delete-snapshot',
      snapshot_id: String(snapshot.id),
      api_url: emulator.url.replace('/api/v1', '/api/v2')
    })
    expectFailure(result, 'HTTP 404', 'Not found.')
    expect(result.stdout).not.toContain('already gone')
    expect(emulator.snapshots(WEB).map(item => item.id)).toEqual([snapshot.id])
  })

  test('a delete whose answer was lost, retried and met with 404, counts as deleted by this step', async ({
    emulator
  }) => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'old' })
    emulator.inject('DELETE /snapshots/{id}/', { kind: 'reset-after' })
    const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(snapshot.id) })
    expectSuccess(result)
    expect(result.outputs.deleted_ids).toBe(JSON.stringify([snapshot.id]))
    expect(notices(result)).toEqual([])
    expect(emulator.snapshots(WEB)).toEqual([])
  })

  test('a delete of an id already gone: one notice, said once in the summary, deleted_ids []', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'delete-snapshot', snapshot_id: '4242' })
    expectSuccess(result)
    expect(notices(result)).toHaveLength(1)
    expect(result.outputs.deleted_ids).toBe('[]')
    expect(summaryText(result).match(/already gone/gi)).toHaveLength(1)
    expect(writes(emulator)).toEqual([])
  })
})

describe.concurrent('a dry run reads what the real run would read', () => {
  test("with a wrong token it fails on the API's 401, as the real run would", async ({ emulator }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      dry_run: 'true',
      api_token: 'not-the-token'
    })
    expectFailure(result, 'HTTP 401', 'Invalid token.')
  })

  test("for a server that does not exist it fails on the API's 404", async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: '424242', dry_run: 'true' })
    expectFailure(
      result,
      `HTTP 404 from GET ${emulator.url}/servers/424242/: Not found. Check input "server_id": the API has no server 424242.`
    )
    expect(writes(emulator)).toEqual([])
  })

  test('at the limit it says what it would delete and create, and sends only GETs', async ({ emulator }) => {
    const own = [5, 4, 3, 2, 1].map(
      age =>
        emulator.addSnapshot({ serverId: WEB, name: `gha-acme-shop-${age}-1-bbbbbb`, createdAt: minutesAgo(age * 60) })
          .id
    )
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      keep: '2',
      dry_run: 'true'
    })
    expectSuccess(result)
    const summary = summaryText(result)
    expect(summary).toContain(`Dry run: would delete snapshot ${own[0]} `)
    expect(summary).toMatch(/Dry run: would create snapshot "gha-acme-shop-9876543210-1-[0-9a-f]{6}" of server 12345\./)
    for (const id of own.slice(1, 4)) expect(summary).toContain(`Dry run: would delete snapshot ${id} `)
    expect(summary).not.toContain(`would delete snapshot ${own[4]} `)
    expect(writes(emulator)).toEqual([])
    expect(result.state.rollback).toBeUndefined()
  })
})

describe.concurrent('a create reads no server before its POST', () => {
  test('a wrong token fails on the first read, the list rotation and the limit need, and nothing more is sent', async ({
    emulator
  }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      api_token: 'not-the-token'
    })
    expectFailure(result, 'HTTP 401', 'Invalid token.')
    expect(calls(emulator)).toEqual([`GET /snapshots/?server_id=${WEB}`])
  })
})

describe.concurrent('lost answers', () => {
  test('a create answered 408 is looked for before it is sent again: exactly one snapshot', async ({ emulator }) => {
    emulator.inject('POST /snapshots/', { kind: 'status', status: 408 })
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
    expectSuccess(result)
    expect(emulator.snapshots(WEB)).toHaveLength(1)
    const afterFirstPost = calls(emulator).slice(calls(emulator).indexOf('POST /snapshots/') + 1)
    expect(afterFirstPost[0]).toBe(`GET /snapshots/?server_id=${WEB}`)
    expect(afterFirstPost[1]).toBe('POST /snapshots/')
  })

  test('a restore whose answer is lost after the API acted is never sent again, even when the server is running once more', async () => {
    // The restore is over before the action can look: the server is running again at once.
    const emulator = await start({ restoreSeconds: 0 })
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'pre-deploy' })
      emulator.inject('POST /snapshots/{id}/restore/', { kind: 'reset-after' })
      const result = await step(emulator, {
        operation: 'restore-snapshot',
        snapshot_id: String(snapshot.id),
        timeout: '3s'
      })
      expectFailure(
        result,
        'the restore may have been received and may be running. It was not sent twice.',
        `Check server ${WEB}'s status in the VPS.org panel before restoring again`
      )
      expect(restores(emulator)).toEqual([`POST /snapshots/${snapshot.id}/restore/`])
    } finally {
      await emulator.close()
    }
  })

  test('a wait that fails before its first read still sets its own snapshot_id and server_id', async ({ emulator }) => {
    emulator.inject('GET /snapshots/', { kind: 'status', status: 401, body: { detail: 'Invalid token.' } })
    const result = await step(emulator, { operation: 'wait-snapshot', snapshot_id: '801', server_id: String(WEB) })
    expectFailure(result, 'HTTP 401')
    expect(result.outputs).toMatchObject({ snapshot_id: '801', server_id: String(WEB) })
  })
})

// Lists are followed to their end, past a thousand pages, and a loop is a `next` seen before: a
// rule of the client, proven page by page in test/unit/client.test.ts.
describe.concurrent('long lists', () => {
  test("keep count exact and bound items under GitHub's output limit, warning how many were left out", async () => {
    const emulator = await start({ pageSize: 100 })
    try {
      const description = 'x'.repeat(1_000)
      for (let n = 0; n < 600; n++) emulator.addSnapshot({ serverId: WEB, name: `s-${n}`, description })
      const result = await step(emulator, { operation: 'list-snapshots', server_id: String(WEB) })
      expectSuccess(result)
      expect(result.outputs.count).toBe('600')
      const items = JSON.parse(result.outputs.items ?? '[]') as unknown[]
      // 500 KB, half of GitHub's 1 MB limit on a job's outputs (docs/behaviour.md).
      expect(Buffer.byteLength(result.outputs.items ?? '')).toBeLessThanOrEqual(500_000)
      expect(items.length).toBeLessThan(600)
      expect(result.stdout).toContain(
        `::warning::The items output holds the newest ${items.length} of the 600 snapshots: ${600 - items.length} older ones were left out`
      )
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('bounds and syntax of the inputs', () => {
  test('a timeout longer than a GitHub job can run is refused before any request, saying so', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'list-snapshots', timeout: '9999999' })
    expectFailure(result, 'input "timeout" must be at most 6h, the longest a GitHub-hosted job can run; got "9999999"')
    expect(emulator.requests).toEqual([])
  })

  test('poll_interval takes the syntax of timeout', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), poll_interval: '0.2s' })
    expectSuccess(result)
    expect(result.outputs.status).toBe('completed')
  })

  test('rollback_on_failure "tRuE" is refused, as every boolean input is: one parser for all', async ({ emulator }) => {
    const result = await step(emulator, {
      operation: 'wait-snapshot',
      snapshot_id: '1',
      server_id: String(WEB),
      rollback_on_failure: 'tRuE'
    })
    expectFailure(result, 'input "rollback_on_failure" must be true or false; got "tRuE"')
    expect(emulator.requests).toEqual([])
  })
})

describe.concurrent('what the log and the summary say', () => {
  test('snapshotting a running server is cautioned once, a line of the log at step level: not an annotation, not a summary line', async ({
    emulator
  }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
    expectSuccess(result)
    expect(notices(result)).toEqual([])
    expect(warnings(result)).toEqual([])
    const caution =
      'A snapshot of a running server may hold an inconsistent filesystem: the provider advises stopping the server first, or quiescing databases and writes.'
    expect(result.stdout.split(caution)).toHaveLength(2)
    expect(readLog(result.stdout).outside).toContain(caution)
    expect(result.stdout).not.toContain(`Server ${WEB} is running:`)
    expect(summaryText(result)).not.toContain('inconsistent filesystem')
  })

  test("a server's notes stay in its group of the log; the summary's servers table says how it ended", async ({
    emulator
  }) => {
    // Long enough that the first status check finds it in progress, however busy the machine.
    emulator.setJobSeconds(1)
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
    expectSuccess(result)
    const id = result.outputs.snapshot_id ?? ''
    const { groups, outside } = readLog(result.stdout)
    // While it waits, where it is: a line outside the group, which prints only when the server is done.
    expect(outside).toContainEqual(
      expect.stringMatching(new RegExp(`^Server ${WEB}, \\d+\\.\\d s: snapshot ${id} in progress$`))
    )
    expect(groups.map(group => group.title)).toEqual([
      expect.stringMatching(new RegExp(`^Server ${WEB}: snapshot ${id} completed, \\d+\\.\\d s$`))
    ])
    const note = `Snapshot ${id} "${result.outputs.snapshot_name}" is completed (${result.outputs.size_mb} MB).`
    expect(groups[0]?.lines).toContain(note)
    // The nested wait is a line of the group, its checks after it.
    const lines = groups[0]?.lines ?? []
    expect(lines.indexOf(`▸ Waiting for snapshot ${id}`)).toBeGreaterThan(-1)
    expect(lines.slice(lines.indexOf(`▸ Waiting for snapshot ${id}`) + 1)[0]).toMatch(
      new RegExp(`^snapshot ${id}: in_progress \\(\\d+\\.\\d s waited\\)$`)
    )
    expect(summaryText(result)).not.toContain(note)
    expect(serverRows(result)).toEqual([
      expect.objectContaining({
        server: String(WEB),
        item: `snapshot ${id} "${result.outputs.snapshot_name}"`,
        status: 'completed',
        'size (MB)': result.outputs.size_mb,
        error: ''
      })
    ])
    // A lone server is no fleet to draw.
    expect(result.summary).not.toContain('```mermaid')
  })

  test('a timeout says how long the step waited, against the timeout it had', async ({ emulator }) => {
    emulator.setJobSeconds(60)
    const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), timeout: '3s' })
    const error = expectFailure(
      result,
      /timed out waiting for backup \d+, still "in_progress" after \d\.\d s of waiting and \d+ status checks: the step's timeout of 3\.0 s \(input "timeout"\) ran out/
    )
    const waited = Number(/after (\d\.\d) s/.exec(error)?.[1])
    expect(waited).toBeLessThan(3)
    // The count it gives is the count of reads the API received after the create.
    const created = emulator.requests.findIndex(request => request.method === 'POST')
    const after = emulator.requests
      .slice(created + 1)
      .filter(request => request.method === 'GET' && request.path.endsWith('/backups/'))
    expect(Number(/and (\d+) status checks/.exec(error)?.[1])).toBe(after.length)
    // One last check just before the deadline, not two: the last two checks are a poll_interval apart, or more.
    const checks = emulator.requests
      .filter(request => request.method === 'GET' && request.path.endsWith('/backups/'))
      .map(request => request.at)
    const [beforeLast = 0, last = 0] = checks.slice(-2)
    expect(last - beforeLast).toBeGreaterThanOrEqual(90)
  })

  test("list-backups draws each backup's description, so that rows can be told apart", async ({ emulator }) => {
    emulator.addBackup({ serverId: WEB, description: 'Before the 2.0 release' })
    emulator.addBackup({ serverId: WEB, description: 'Before the 2.1 release' })
    const result = await step(emulator, { operation: 'list-backups', server_id: String(WEB) })
    expectSuccess(result)
    expect(result.summary).toContain('<td>Before the 2.0 release</td>')
    expect(result.summary).toContain('<td>Before the 2.1 release</td>')
  })
})
