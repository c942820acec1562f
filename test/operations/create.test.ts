// create-snapshot and create-backup, in-process against the emulator on a virtual clock: what is
// created and reported, when the rollback is armed, and what rotation deletes and when.
import { describe, expect } from 'vitest'
import { createBackup, createSnapshot } from '../support/one-server.ts'
import { WEB, createSettings, failureOf, logOf, outputsOf, summaryOf, test, type Api } from '../support/in-process.ts'

const MINUTE = 60_000
/** Older than anything a test creates, in the emulator's own clock. */
function minutesAgo(api: Api, minutes: number): string {
  return new Date(api.clock.now() - minutes * MINUTE).toISOString()
}

describe('create-snapshot', () => {
  test('creates a snapshot, waits until it is completed, reports it and arms nothing by default', async ({ api }) => {
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings() }, step.tools)
    const [snapshot] = api.emulator.snapshots(WEB)
    expect(snapshot).toMatchObject({
      name: 'gha-acme-shop-9876543210-1-a1b2c3',
      status: 'completed',
      description: 'gha-acme-shop-9876543210-1-a1b2c3 Before deploy'
    })
    const { results, snapshot_ids, ...single } = outputsOf(step)
    expect(single).toEqual({
      snapshot_id: String(snapshot?.id),
      snapshot_name: snapshot?.name,
      server_id: String(WEB),
      status: 'completed',
      size_mb: String(snapshot?.size_mb),
      created_at: snapshot?.created_at
    })
    // One server is a fleet of one: its row of `results`, and its id in the map, beside the single values.
    expect(JSON.parse(results ?? '')).toEqual([
      {
        server_id: WEB,
        snapshot_id: snapshot?.id,
        snapshot_name: snapshot?.name,
        size_mb: snapshot?.size_mb,
        created_at: snapshot?.created_at,
        status: 'completed'
      }
    ])
    expect(JSON.parse(snapshot_ids ?? '')).toEqual({ [WEB]: snapshot?.id })
    expect(api.writes()).toEqual(['POST /snapshots/'])
    // What was done is told in the server's block of the log; the summary's servers table shows it.
    expect(logOf(step).at(-1)).toBe(
      `Snapshot ${snapshot?.id} "${snapshot?.name}" is completed (${snapshot?.size_mb} MB).`
    )
    expect(step.recorder.log.at(-1)).toMatchObject({
      level: 'group',
      title: expect.stringMatching(new RegExp(`^Server ${WEB}: snapshot ${snapshot?.id} completed, \\d`))
    })
    expect(step.armed).toEqual([])
  })

  test("reads the server's snapshots (not the server) before creating, and gives the provider's advice on running servers once", async ({
    api
  }) => {
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings() }, step.tools)
    // The POST's own 404 says a server is missing: no read of the server before it.
    expect(api.requests().slice(0, 2)).toEqual(['GET /snapshots/?server_id=12345', 'POST /snapshots/'])
    expect(api.requests().filter(request => request.startsWith('GET /servers/'))).toEqual([])
    const advice =
      'A snapshot of a running server may hold an inconsistent filesystem: the provider advises stopping the server first, or quiescing databases and writes.'
    // One line of the step's own log, outside the server's block, and not a line of the summary.
    expect(step.recorder.log.filter(line => line.level === 'info' && line.text === advice)).toHaveLength(1)
    expect(logOf(step).filter(line => line.includes('inconsistent filesystem'))).toEqual([advice])
    expect(summaryOf(step).join('\n')).not.toContain('inconsistent filesystem')
    expect(summaryOf(step, 'notice')).toEqual([])
  })

  test('with rollback_on_failure, arms the rollback with the completed snapshot', async ({ api }) => {
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ rollbackOnFailure: true }) }, step.tools)
    const [snapshot] = api.emulator.snapshots(WEB)
    expect(step.armed).toEqual([{ kind: 'snapshot', id: snapshot?.id, serverId: WEB }])
  })

  test('with wait false, returns at once with the snapshot in_progress', async ({ api }) => {
    const step = api.step()
    const started = api.clock.now()
    await createSnapshot({ ...step.settings, ...createSettings({ wait: false }) }, step.tools)
    expect(api.clock.now() - started).toBeLessThan(1_000)
    expect(outputsOf(step)).toMatchObject({ status: 'in_progress' })
    expect(step.armed).toEqual([])
  })

  test('a snapshot whose job fails: the step fails naming the status, the outputs keep its id, nothing is armed', async ({
    api
  }) => {
    api.emulator.failNextJob('snapshot', 'error')
    const step = api.step()
    const error = await failureOf(
      createSnapshot({ ...step.settings, ...createSettings({ rollbackOnFailure: true }) }, step.tools)
    )
    const [snapshot] = api.emulator.snapshots(WEB)
    expect(error).toBe(`snapshot ${snapshot?.id} ended with status "error"`)
    expect(outputsOf(step)).toMatchObject({ snapshot_id: String(snapshot?.id), status: 'error' })
    expect(step.armed).toEqual([])
  })

  test('a wait that runs into the timeout fails saying how long it waited, keeps the outputs, arms nothing', async ({
    api
  }) => {
    const step = api.step({ timeoutMs: 60_000 })
    const error = await failureOf(
      createSnapshot({ ...step.settings, ...createSettings({ rollbackOnFailure: true }) }, step.tools)
    )
    // Every read of the list after the POST was a status check.
    const checks = api
      .requests()
      .slice(api.requests().indexOf('POST /snapshots/') + 1)
      .filter(request => request === 'GET /snapshots/?server_id=12345').length
    expect(error).toBe(
      `timed out waiting for snapshot ${api.emulator.snapshots(WEB)[0]?.id}, still "in_progress" after 59 s of waiting and ${checks} status checks: the step's timeout of 1 min 0 s (input "timeout") ran out`
    )
    expect(outputsOf(step)).toMatchObject({ status: 'in_progress' })
    expect(step.armed).toEqual([])
  })

  test('the last status check comes once, just before the deadline', async ({ api }) => {
    const step = api.step({ timeoutMs: 60_000, pollIntervalMs: 2_000 })
    await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
    const checks = api.emulator.requests
      .filter(request => request.method === 'GET' && request.path.endsWith('/snapshots/'))
      .map(request => request.at)
    const last = checks.at(-1) ?? 0
    const beforeLast = checks.at(-2) ?? 0
    expect(last - beforeLast).toBeGreaterThan(1_000)
  })

  test("an unknown server fails with the POST's own 404 and creates nothing", async ({ api }) => {
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings({ serverId: 99 }) }, step.tools))
    expect(error).toBe(
      `HTTP 404 from POST ${api.emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
    )
    // The one POST, refused, and not sent again.
    expect(api.writes()).toEqual(['POST /snapshots/'])
    expect(api.emulator.snapshots(99)).toEqual([])
    expect(api.emulator.snapshots(WEB)).toEqual([])
  })

  test("a wrong token fails with the API's 401 and creates nothing", async ({ api }) => {
    const step = api.step({ apiToken: 'wrong' })
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
    expect(error).toMatch(
      /^HTTP 401 from GET \/(servers\/12345|snapshots\/\?server_id=12345)\/?: Invalid token\. Check input "api_token": the API did not accept it\.$/
    )
    expect(api.writes()).toEqual([])
  })
})

describe('create-backup', () => {
  test("makes a manual backup whose description starts with the step's marker, then the text", async ({ api }) => {
    const step = api.step()
    await createBackup(
      { ...step.settings, ...createSettings({ name: undefined, description: 'Before the 2.0 release' }) },
      step.tools
    )
    const [backup] = api.emulator.backups(WEB)
    expect(backup).toMatchObject({
      backup_type: 'manual',
      status: 'completed',
      description: 'gha-acme-shop-9876543210-1-a1b2c3 Before the 2.0 release'
    })
    expect(outputsOf(step)).toMatchObject({ backup_id: String(backup?.id), status: 'completed' })
    expect(outputsOf(step)).not.toHaveProperty('snapshot_name')
    // Snapshotting advice is about snapshots.
    expect(logOf(step).join('\n')).not.toContain('inconsistent filesystem')
  })

  test('with rollback_on_failure, arms the rollback with the completed backup', async ({ api }) => {
    const step = api.step()
    await createBackup(
      { ...step.settings, ...createSettings({ name: undefined, rollbackOnFailure: true }) },
      step.tools
    )
    const [backup] = api.emulator.backups(WEB)
    expect(step.armed).toEqual([{ kind: 'backup', id: backup?.id, serverId: WEB }])
  })
})

describe('rotation on create', () => {
  test('at the limit: the oldest own snapshot goes before the create, the rest beyond keep only once the new one is completed', async ({
    api
  }) => {
    const own = [4, 3, 2].map(
      age =>
        api.emulator.addSnapshot({
          serverId: WEB,
          name: `gha-acme-shop-${age}-1-aaaaaa`,
          createdAt: minutesAgo(api, age * 60)
        }).id
    )
    api.emulator.addSnapshot({ serverId: WEB, name: 'by-hand', createdAt: minutesAgo(api, 600) })
    api.emulator.addSnapshot({ serverId: WEB, name: 'by-hand-too', createdAt: minutesAgo(api, 500) })
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 2 }) }, step.tools)
    const created = api.emulator.snapshots(WEB).find(snapshot => snapshot.name.startsWith('gha-acme-shop-9876543210'))
    // own = [oldest, middle, newest]: room for one more takes the oldest; keeping 2 (the new one and the newest) takes
    // the middle.
    expect(api.writes()).toEqual([`DELETE /snapshots/${own[0]}/`, 'POST /snapshots/', `DELETE /snapshots/${own[1]}/`])
    expect(
      api.emulator
        .snapshots(WEB)
        .map(snapshot => snapshot.id)
        .sort()
    ).toEqual(
      [
        own[2],
        created?.id,
        ...api.emulator
          .snapshots(WEB)
          .filter(s => s.name.startsWith('by-hand'))
          .map(s => s.id)
      ].sort()
    )
    expect(outputsOf(step).deleted_ids).toBe(JSON.stringify([own[0], own[1]]))
  })

  test("a snapshot with a custom name is the action's own by its marker, so keep rotates it too", async ({ api }) => {
    for (let run = 1; run <= 6; run++) {
      const step = api.step()
      await createSnapshot(
        {
          ...step.settings,
          ...createSettings({ name: `pre-deploy-${run}`, marker: `gha-acme-shop-${run}-1-abcdef`, keep: 3 })
        },
        step.tools
      )
    }
    expect(api.emulator.snapshots(WEB).map(snapshot => snapshot.name)).toEqual([
      'pre-deploy-6',
      'pre-deploy-5',
      'pre-deploy-4'
    ])
  })

  test("never deletes an own snapshot still in progress, nor another's", async ({ api }) => {
    const running = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'gha-acme-shop-1-1-bbbbbb',
      status: 'in_progress',
      createdAt: minutesAgo(api, 30)
    })
    api.emulator.addSnapshot({ serverId: WEB, name: 'by-hand', createdAt: minutesAgo(api, 600) })
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 1 }) }, step.tools)
    expect(api.writes()).toEqual(['POST /snapshots/'])
    expect(api.emulator.snapshots(WEB).map(snapshot => snapshot.id)).toContain(running.id)
  })

  test('at the limit with none of its own to delete: fails before sending anything, saying how many to delete by hand', async ({
    api
  }) => {
    for (let n = 0; n < 5; n++)
      api.emulator.addSnapshot({ serverId: WEB, name: `by-hand-${n}`, createdAt: minutesAgo(api, 100 + n) })
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings({ keep: 3 }) }, step.tools))
    expect(error).toContain(
      "so 1 must go before the create, but the retention rules may delete none: 5 are not the action's own. " +
        'Delete 1 by hand (delete-snapshot with its snapshot_id). No snapshot was created.'
    )
    expect(api.writes()).toEqual([])
  })

  test('keep 0 at the limit: refused before the create, as the provider would refuse it', async ({ api }) => {
    for (let n = 0; n < 5; n++)
      api.emulator.addSnapshot({
        serverId: WEB,
        name: `gha-acme-shop-${n}-1-cccccc`,
        createdAt: minutesAgo(api, 100 + n)
      })
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
    expect(error).toBe(
      "the server already has 5 snapshots, the provider's limit is 5, so the create would be refused; set keep or another retention rule to rotate the action's own, or delete one by hand. No snapshot was created."
    )
    expect(api.writes()).toEqual([])
  })

  test('with wait false: makes room at the limit, then skips the rest with a notice in the summary', async ({
    api
  }) => {
    const own = [5, 4, 3, 2, 1].map(
      age =>
        api.emulator.addSnapshot({
          serverId: WEB,
          name: `gha-acme-shop-${age}-1-dddddd`,
          createdAt: minutesAgo(api, age * 60)
        }).id
    )
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 2, wait: false }) }, step.tools)
    expect(api.writes()).toEqual([`DELETE /snapshots/${own[0]}/`, 'POST /snapshots/'])
    const notice =
      'Deletions after the create skipped: the new snapshot is not completed yet (wait is false). Run prune-snapshots once it is.'
    expect(logOf(step)).toContain(`notice: ${notice}`)
    expect(summaryOf(step, 'notice')).toEqual([`Server ${WEB}: ${notice}`])
  })

  test('a deletion that fails after the new snapshot completed is a warning: the step succeeds and stays armed', async ({
    api
  }) => {
    const old = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'gha-acme-shop-1-1-eeeeee',
      createdAt: minutesAgo(api, 60)
    })
    api.emulator.inject(
      'DELETE /snapshots/{id}/',
      ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 }))
    )
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 1, rollbackOnFailure: true }) }, step.tools)
    const created = api.emulator.snapshots(WEB).find(snapshot => snapshot.id !== old.id)
    const warning = `Rotation could not delete snapshot ${old.id} "gha-acme-shop-1-1-eeeeee" of ${old.created_at} on server ${WEB}: HTTP 500 from DELETE /snapshots/${old.id}/: Internal Server Error. The new snapshot is completed and kept; the next rotation will try again.`
    expect(logOf(step)).toContain(`warning: ${warning}`)
    expect(summaryOf(step, 'warning')).toEqual([warning])
    expect(step.armed).toEqual([{ kind: 'snapshot', id: created?.id, serverId: WEB }])
    expect(outputsOf(step)).toMatchObject({ status: 'completed', deleted_ids: '[]' })
  })

  test('backups: at the limit of 10 manual ones, keeps the newest own and every automatic and foreign one', async ({
    api
  }) => {
    const own = Array.from(
      { length: 8 },
      (_, n) =>
        api.emulator.addBackup({
          serverId: WEB,
          description: `gha-acme-shop-${n}-1-ffffff Before deploy`,
          createdAt: minutesAgo(api, 100 - n)
        }).id
    )
    const foreign = [
      api.emulator.addBackup({ serverId: WEB, description: 'by hand', createdAt: minutesAgo(api, 200) }).id,
      api.emulator.addBackup({ serverId: WEB, description: 'by hand', createdAt: minutesAgo(api, 190) }).id
    ]
    const automatic = api.emulator.addBackup({
      serverId: WEB,
      backupType: 'automatic',
      createdAt: minutesAgo(api, 300)
    }).id
    const step = api.step()
    await createBackup({ ...step.settings, ...createSettings({ name: undefined, keep: 3 }) }, step.tools)
    const left = api.emulator.backups(WEB).map(backup => backup.id)
    expect(left).toEqual(expect.arrayContaining([...foreign, automatic, own[7], own[6]]))
    expect(left).toHaveLength(3 + 2 + 1)
    expect(api.writes()[0]).toBe(`DELETE /backups/${own[0]}/`)
  })
})

describe('a create whose answer is lost', () => {
  test.for([
    ['the connection drops after the API acted', { kind: 'reset-after' }, ['POST /snapshots/']],
    ['the answer is cut in half', { kind: 'truncated-json' }, ['POST /snapshots/']],
    ['the connection drops before the API acted', { kind: 'reset-before' }, ['POST /snapshots/', 'POST /snapshots/']],
    ['HTTP 500 without acting', { kind: 'status', status: 500 }, ['POST /snapshots/', 'POST /snapshots/']],
    ['HTTP 408 without acting', { kind: 'status', status: 408 }, ['POST /snapshots/', 'POST /snapshots/']],
    ["a proxy's HTML 502 page", { kind: 'html', status: 502 }, ['POST /snapshots/', 'POST /snapshots/']]
  ] as const)(
    'when %s: looks before sending again, and ends with exactly one snapshot',
    async ([, fault, posts], { api }) => {
      api.emulator.inject('POST /snapshots/', fault)
      const step = api.step()
      await createSnapshot({ ...step.settings, ...createSettings({ rollbackOnFailure: true }) }, step.tools)
      const snapshots = api.emulator.snapshots(WEB)
      expect(snapshots).toHaveLength(1)
      expect(api.writes()).toEqual(posts)
      // The lookup comes between the lost answer and anything else.
      const afterFirstPost = api.requests().slice(api.requests().indexOf('POST /snapshots/') + 1)
      expect(afterFirstPost[0]).toBe('GET /snapshots/?server_id=12345')
      expect(outputsOf(step)).toMatchObject({ snapshot_id: String(snapshots[0]?.id), status: 'completed' })
      expect(step.armed).toEqual([{ kind: 'snapshot', id: snapshots[0]?.id, serverId: WEB }])
    }
  )

  test.for([429, 503])('refused with %i (nothing done): simply sent again, no lookup', async (status, { api }) => {
    api.emulator.inject('POST /snapshots/', { kind: 'status', status, headers: { 'retry-after': '1' } })
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings() }, step.tools)
    expect(api.emulator.snapshots(WEB)).toHaveLength(1)
    expect(api.requests().filter(request => !request.startsWith('GET /servers/'))).toEqual(
      expect.arrayContaining(['POST /snapshots/', 'POST /snapshots/'])
    )
    const posts = api
      .requests()
      .map((request, index) => [request, index] as const)
      .filter(([request]) => request === 'POST /snapshots/')
    expect(api.requests().slice((posts[0]?.[1] ?? 0) + 1, posts[1]?.[1])).toEqual([])
  })

  test('a create the API keeps failing: three sends at most, lookups between, one error, nothing created', async ({
    api
  }) => {
    api.emulator.inject(
      'POST /snapshots/',
      ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 }))
    )
    const step = api.step()
    const error = await failureOf(createSnapshot({ ...step.settings, ...createSettings() }, step.tools))
    expect(error).toBe('HTTP 500 from POST /snapshots/: Internal Server Error.')
    expect(api.writes()).toEqual(['POST /snapshots/', 'POST /snapshots/', 'POST /snapshots/'])
    expect(api.emulator.snapshots(WEB)).toEqual([])
  })

  test('a snapshot of the same custom name made earlier is not taken for the one whose answer was lost', async ({
    api
  }) => {
    const earlier = api.emulator.addSnapshot({
      serverId: WEB,
      name: 'pre-deploy',
      createdAt: minutesAgo(api, 2),
      description: 'by hand'
    })
    api.emulator.inject('POST /snapshots/', { kind: 'status', status: 502 })
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ name: 'pre-deploy' }) }, step.tools)
    expect(api.writes()).toEqual(['POST /snapshots/', 'POST /snapshots/'])
    expect(outputsOf(step).snapshot_id).not.toBe(String(earlier.id))
  })
})
