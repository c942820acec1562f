// A fleet in one step, through the committed bundle: several servers side by side, each
// server's lines together in the log, one rate limit for all, a failure that cancels nothing,
// one rollback for all, and a summary a person reads at a glance.
import { describe, expect, it } from 'vitest'
import { fleetServers, type Emulator } from '../emulator/server.ts'
import { calls, expectFailure, expectSuccess, readLog, restores, start, step, summaryText } from '../support/steps.ts'

const FLEET = [101, 102, 103]
const fleet = (ids: number[] = FLEET) => ids.join(', ')

async function withFleet<T>(count: number, work: (emulator: Emulator) => Promise<T>): Promise<T> {
  const emulator = await start({ servers: fleetServers(count) })
  try {
    return await work(emulator)
  } finally {
    await emulator.close()
  }
}

/** The log's groups, each with its lines. */
const groups = (stdout: string) => readLog(stdout).groups

const RUNNING_SERVER_CAUTION =
  'A snapshot of a running server may hold an inconsistent filesystem: the provider advises stopping the server first, or quiescing databases and writes.'

describe.concurrent('create-snapshot for a fleet', () => {
  it("snapshots every server, each server's lines in one block, and writes results and snapshot_ids", () =>
    withFleet(3, async emulator => {
      const result = await step(emulator, {
        operation: 'create-snapshot',
        server_id: '101,\n102 103',
        max_parallel: '2'
      })
      expectSuccess(result)
      const ids = Object.fromEntries(FLEET.map(id => [String(id), emulator.snapshots(id)[0]?.id]))
      expect(JSON.parse(result.outputs.snapshot_ids ?? '')).toEqual(ids)
      expect(
        (JSON.parse(result.outputs.results ?? '') as Array<{ server_id: number; status: string }>).map(row => [
          row.server_id,
          row.status
        ])
      ).toEqual(FLEET.map(id => [id, 'completed']))
      expect(result.outputs).not.toHaveProperty('snapshot_id')
      const blocks = groups(result.stdout).filter(group => group.title.startsWith('Server '))
      expect(blocks.map(block => Number(/^Server (\d+)/.exec(block.title)?.[1])).sort()).toEqual(FLEET)
      for (const block of blocks) {
        const server = Number(/^Server (\d+)/.exec(block.title)?.[1])
        expect(block.lines.join('\n')).toContain(`of server ${server}.`)
        for (const other of FLEET.filter(id => id !== server))
          expect(block.lines.join('\n')).not.toContain(`server ${other}`)
      }
      // The step's own lines stay outside the groups: what it works on, and the caution said once for all.
      const { outside } = readLog(result.stdout)
      expect(outside).toContain('Working on 3 servers, at most 2 at once: 101, 102, 103.')
      expect(result.stdout.split(RUNNING_SERVER_CAUTION)).toHaveLength(2)
      expect(outside).toContain(RUNNING_SERVER_CAUTION)
    }))

  it('one server failing cancels nothing: the others are snapshotted, and one error names the server and why', () =>
    withFleet(2, async emulator => {
      const result = await step(emulator, {
        operation: 'create-snapshot',
        server_id: '101 999 102',
        rollback_on_failure: 'true'
      })
      // The create's own 404 says the server is missing: no read of the server comes before it.
      expectFailure(
        result,
        `create-snapshot failed: 1 of 3 servers failed: server 999: HTTP 404 from POST ${emulator.url}/snapshots/: Server not found.${' Check input "server_id": the API has no such server.'}`
      )
      expect(calls(emulator).filter(call => call.startsWith('GET /servers/'))).toEqual([])
      expect(emulator.snapshots(101)).toHaveLength(1)
      expect(emulator.snapshots(102)).toHaveLength(1)
      expect(Object.keys(JSON.parse(result.outputs.snapshot_ids ?? '{}') as object)).toEqual(['101', '102'])
      expect(
        (JSON.parse(result.outputs.results ?? '') as Array<{ server_id: number; error?: string }>)[1]
      ).toMatchObject({
        server_id: 999,
        error: `HTTP 404 from POST ${emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
      })
      // Said at step level as it happens, before the servers still working end.
      const lines = result.stdout.split('\n')
      const failedLine = lines.indexOf(
        `Server 999 failed: HTTP 404 from POST ${emulator.url}/snapshots/: Server not found. Check input "server_id": the API has no such server.`
      )
      expect(failedLine, result.stdout).toBeGreaterThan(-1)
      expect(readLog(result.stdout).outside).toContain(lines[failedLine])
      expect(failedLine).toBeLessThan(lines.findIndex(line => line.startsWith('::group::Server 101: ')))
      // A step that failed arms nothing, for any server.
      expect(result.state.rollback).toBeUndefined()
    }))

  it("a Retry-After on one server's request pauses the others' too", () =>
    withFleet(3, async emulator => {
      // Two servers at a time: the first create is refused for 2 s; the third server starts its
      // work only when one of the first two is done, well inside those 2 s, and must wait them out.
      emulator.inject('POST /snapshots/', { kind: 'status', status: 429, headers: { 'retry-after': '2' } })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: fleet(), max_parallel: '2' })
      expectSuccess(result)
      const refused = emulator.requests.find(request => request.method === 'POST')
      // The third server's first request is its create, the one POST whose body names it.
      const third = emulator.requests.find(
        request => request.method === 'POST' && (request.body as { server_id?: unknown } | undefined)?.server_id === 103
      )
      expect(refused?.fault).toMatch(/429/)
      expect(third, 'the third server was never created').toBeDefined()
      expect((third?.at ?? 0) - (refused?.at ?? 0)).toBeGreaterThanOrEqual(1_900)
      expect(FLEET.map(id => emulator.snapshots(id).length)).toEqual([1, 1, 1])
    }))

  it('checks the status of every server waiting with one read of the whole list', () =>
    withFleet(5, async emulator => {
      // Long enough a job for several checks: waits begun a moment apart meet at the step's next tick.
      emulator.setJobSeconds(1.5)
      const result = await step(emulator, {
        operation: 'create-snapshot',
        server_id: fleet([101, 102, 103, 104, 105]),
        max_parallel: '5'
      })
      expectSuccess(result)
      const all = calls(emulator)
      const firstCreate = all.indexOf('POST /snapshots/')
      // The five creates are planned from one read of the whole list, not five reads of a server's list.
      expect(all.slice(0, firstCreate)).toEqual(['GET /snapshots/'])
      // The status checks read the whole list, for every server at once; one server's list only when it waits alone.
      const checks = all
        .slice(firstCreate)
        .filter(call => call === 'GET /snapshots/' || call.startsWith('GET /snapshots/?page='))
      const perServer = all.filter(call => call.startsWith('GET /snapshots/?server_id='))
      expect(checks.length).toBeGreaterThan(0)
      expect(perServer.length).toBeLessThan(checks.length)
    }))

  it('draws the fleet in the summary: a row per server, and a Mermaid timeline', () =>
    withFleet(2, async emulator => {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101 102 777' })
      expectFailure(result, 'server 777')
      const summary = summaryText(result)
      expect(summary).toContain(
        '<th>server</th><th>item</th><th>status</th><th>size (MB)</th><th>time</th><th>error</th>'
      )
      expect(summary).toMatch(/```mermaid\ngantt\n/)
      expect(summary).toMatch(/ {4}server 101 \(snapshot \d+\) :done, s101, \d+, \d+\n/)
      expect(summary).toMatch(/ {4}server 777 failed :crit, s777, \d+, \d+\n/)
    }))
})

describe.concurrent("the rest of a fleet's life", () => {
  it('wait-snapshot with the snapshot_ids of a create arms every server; the post step restores them all, waiting for each', () =>
    withFleet(3, async emulator => {
      const started = await step(emulator, { operation: 'create-snapshot', server_id: fleet(), wait: 'false' })
      expectSuccess(started)
      const inputs = {
        operation: 'wait-snapshot',
        snapshot_id: started.outputs.snapshot_ids ?? '',
        rollback_on_failure: 'true'
      }
      const waited = await step(emulator, inputs)
      expectSuccess(waited)
      const post = await step(emulator, inputs, { post: { state: waited.state } })
      expectSuccess(post)
      const ids = JSON.parse(started.outputs.snapshot_ids ?? '') as Record<string, number>
      expect(restores(emulator).sort()).toEqual(
        Object.values(ids)
          .map(id => `POST /snapshots/${id}/restore/`)
          .sort()
      )
      expect(FLEET.map(id => emulator.server(id)?.status)).toEqual(['running', 'running', 'running'])
      // Each server's block says what it was restored from, and that the server is running.
      const titles = groups(post.stdout)
        .map(group => group.title)
        .filter(title => title.startsWith('Server '))
      expect(titles.sort()).toEqual(
        FLEET.map(id =>
          expect.stringMatching(new RegExp(`^Server ${id}: restore from snapshot ${ids[id]}, server running, `))
        )
      )
    }))

  it('a fleet rollback that cannot restore one server restores the others, then fails naming that one', () =>
    withFleet(3, async emulator => {
      const inputs = { operation: 'create-snapshot', server_id: fleet(), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const ids = JSON.parse(main.outputs.snapshot_ids ?? '') as Record<string, number>
      await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(ids['102']) })
      const post = await step(emulator, inputs, { post: { state: main.state } })
      // The server's own explanation names it first, so it is not named twice.
      expectFailure(
        post,
        `rollback failed: 1 of 3 servers failed: server 102 could not be rolled back from snapshot ${ids['102']}: `,
        'no longer exists'
      )
      expect(readLog(post.stdout).outside).toContainEqual(
        expect.stringMatching(
          /^Server 102 failed: server 102 could not be rolled back from snapshot \d+: .*no longer exists/
        )
      )
      // The servers' snapshots are numbered in the order their creates reached the API, which varies.
      expect(restores(emulator).sort(), post.stdout).toEqual(
        [`POST /snapshots/${ids['101']}/restore/`, `POST /snapshots/${ids['103']}/restore/`].sort()
      )
    }))

  it('restore-snapshot from the snapshot_ids of an earlier job restores each server from its own snapshot', () =>
    withFleet(2, async emulator => {
      const made = await step(emulator, { operation: 'create-snapshot', server_id: '101 102' })
      expectSuccess(made)
      for (const id of [101, 102])
        emulator.addSnapshot({ serverId: id, name: 'newer', createdAt: new Date(Date.now() + 60_000).toISOString() })
      const restored = await step(emulator, {
        operation: 'restore-snapshot',
        snapshot_id: made.outputs.snapshot_ids ?? ''
      })
      expectSuccess(restored)
      const ids = JSON.parse(made.outputs.snapshot_ids ?? '') as Record<string, number>
      expect(restores(emulator).sort()).toEqual(
        Object.values(ids)
          .map(id => `POST /snapshots/${id}/restore/`)
          .sort()
      )
      expect(restored.outputs.snapshot_ids).toBe(made.outputs.snapshot_ids)
    }))

  it('a server named twice is refused before any request', () =>
    withFleet(2, async emulator => {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 101' })
      expectFailure(result, 'input "server_id" names server 101 more than once')
      expect(emulator.requests).toEqual([])
    }))
})
