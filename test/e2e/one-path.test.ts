// One server is a fleet of one, as the runner sees it through the committed bundle: the outputs
// of a lone failed server, the order given, each server's voice in its own group, the progress
// line outside them, the armed line, a restore refused whole, and a post step that never crashes.
import { describe, expect, it } from 'vitest'
import { fleetServers, type Emulator } from '../emulator/server.ts'
import {
  expectFailure,
  expectSuccess,
  readLog,
  restores,
  start,
  step,
  summaryText,
  test,
  WEB
} from '../support/steps.ts'

async function withFleet<T>(count: number, work: (emulator: Emulator) => Promise<T>, jobSeconds = 0.2): Promise<T> {
  const emulator = await start({ servers: fleetServers(count), jobSeconds })
  try {
    return await work(emulator)
  } finally {
    await emulator.close()
  }
}

describe('a lone server', () => {
  test('that does not exist: exit 1, and results holds its row with the error', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: '99' })
    const error = expectFailure(
      result,
      `HTTP 404 from POST ${emulator.url}/snapshots/: Server not found. Check input "server_id"`
    )
    expect(JSON.parse(result.outputs.results ?? '')).toEqual([
      { server_id: 99, error: error.replace('create-snapshot failed: ', '') }
    ])
  })
})

describe('the order server_id gave', () => {
  it('wait-snapshot with server_id 103, 101, 102 and a map answers 103, 101, 102', () =>
    withFleet(3, async emulator => {
      const ids = Object.fromEntries(
        [101, 102, 103].map(id => [id, emulator.addSnapshot({ serverId: id, name: `s-${id}` }).id])
      )
      const result = await step(emulator, {
        operation: 'wait-snapshot',
        server_id: '103, 101, 102',
        snapshot_id: JSON.stringify(ids)
      })
      expectSuccess(result)
      expect(
        (JSON.parse(result.outputs.results ?? '') as Array<{ server_id: number }>).map(row => row.server_id)
      ).toEqual([103, 101, 102])
    }))
})

describe("each server's voice in its own group", () => {
  it("a 503 on server 102's create is retried in its group, naming it; the step's lines stay outside", () =>
    withFleet(3, async emulator => {
      emulator.injectFor('POST /snapshots/', 102, { kind: 'status', status: 503 })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103' })
      expectSuccess(result)
      const { groups, outside } = readLog(result.stdout)
      const retried = groups.filter(group => group.lines.some(line => line.includes('trying again')))
      expect(retried.map(group => group.title)).toEqual([
        expect.stringMatching(/^Server 102: snapshot \d+ completed, /)
      ])
      expect(retried[0]?.lines).toContainEqual(
        expect.stringMatching(/^Server 102: POST \/snapshots\/: HTTP 503; trying again in [\d.]+ s \(attempt 2 of 5\)$/)
      )
      expect(outside.filter(line => line.includes('trying again'))).toEqual([])
    }))

  it('a fleet that waits says where every server is, outside the groups, before any group prints', () =>
    withFleet(
      3,
      async emulator => {
        const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103' })
        expectSuccess(result)
        const lines = result.stdout.split('\n')
        const progress = lines.findIndex(line => /^3 servers, [\d.]+ s: 3 in progress \(101, 102, 103\)$/.test(line))
        expect(progress).toBeGreaterThan(-1)
        expect(progress).toBeLessThan(lines.findIndex(line => line.startsWith('::group::')))
        expect(readLog(result.stdout).outside).toContain(lines[progress])
      },
      1
    ))
})

describe('saying what is armed', () => {
  test('a create that arms the rollback says which server, from which snapshot, in its log and summary', async ({
    emulator
  }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true'
    })
    expectSuccess(result)
    const [snapshot] = emulator.snapshots(WEB)
    const line = `Rollback armed: if a later step of this job fails, the post step restores server ${WEB} from snapshot ${snapshot?.id}.`
    expect(readLog(result.stdout).outside).toContain(line)
    expect(summaryText(result)).toContain(line)
  })

  test('one that fails says it armed nothing, and why', async ({ emulator }) => {
    emulator.failNextJob('snapshot')
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true'
    })
    expectFailure(result, 'ended with status "failed"')
    expect(readLog(result.stdout).outside).toContain(
      'Rollback not armed: this step failed, so no deploy ran after it to undo.'
    )
    expect(result.state.rollback).toBeUndefined()
  })

  test('a dry run says it arms nothing', async ({ emulator }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true',
      dry_run: 'true'
    })
    expectSuccess(result)
    expect(summaryText(result)).toContain('Rollback not armed: a dry run arms nothing.')
  })
})

describe('a fleet restore refused whole', () => {
  it('latest for 101 and 102, 102 with no completed snapshot: no restore sent, one error naming 102', () =>
    withFleet(2, async emulator => {
      emulator.addSnapshot({ serverId: 101, name: 'pre-deploy' })
      const result = await step(emulator, {
        operation: 'restore-snapshot',
        server_id: '101, 102',
        snapshot_id: 'latest'
      })
      expectFailure(
        result,
        /^restore-snapshot failed: 1 of 2 servers failed: server 102 has no completed snapshot/,
        'the others were not restored'
      )
      expect(restores(emulator)).toEqual([])
      expect(emulator.server(101)?.status).toBe('running')
    }))
})

describe('the post step never crashes', () => {
  test('an unreadable saved state: one error line naming the server, a summary, exit 1', async ({ emulator }) => {
    const state = { isPost: 'true', rollback: `{"targets":[{"kind":"snapshot","id":801,"serverId":${WEB}}],"apiUrl":` }
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) }, { post: { state } })
    expectFailure(
      result,
      `rollback failed: the state the main step saved, which armed server ${WEB}, is not readable, so nothing was restored`
    )
    expect(result.stderr).not.toMatch(/Unhandled|at .*\.js:\d+/)
    expect(emulator.requests).toEqual([])
  })

  test('no token: one error line naming the armed server, a summary, exit 1', async ({ emulator }) => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'pre-deploy' })
    const rollback = JSON.stringify({
      targets: [{ kind: 'snapshot', id: snapshot.id, serverId: WEB }],
      apiUrl: emulator.url,
      timeoutMs: 10_000,
      pollIntervalMs: 100,
      maxParallel: 4
    })
    const result = await step(
      emulator,
      { operation: 'create-snapshot', server_id: String(WEB), api_token: '' },
      { post: { state: { isPost: 'true', rollback } } }
    )
    expectFailure(
      result,
      'input "api_token" is required',
      `nothing was restored: server ${WEB} (snapshot ${snapshot.id})`
    )
    expect(emulator.requests).toEqual([])
  })
})
