// A fleet in one step, through the committed bundle: several servers side by side, each
// server's lines together in the log, one rate limit for all, a failure that cancels nothing,
// one rollback for all, and a summary a person reads at a glance.
import { describe, expect, it } from 'vitest'
import { fleetServers, type Emulator } from '../emulator/server.ts'
import { calls, expectFailure, expectSuccess, restores, start, step, summaryText } from '../support/steps.ts'

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
function groups(stdout: string): Array<{ title: string; lines: string[] }> {
  const found: Array<{ title: string; lines: string[] }> = []
  let current: { title: string; lines: string[] } | undefined
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::group::')) found.push((current = { title: line.slice('::group::'.length), lines: [] }))
    else if (line === '::endgroup::') current = undefined
    else if (current) current.lines.push(line)
  }
  return found
}

describe.concurrent('create-snapshot for a fleet', () => {
  it("snapshots every server, each server's lines in one block, and writes results and snapshot_ids", () =>
    withFleet(3, async emulator => {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101,\n102 103', max_parallel: '2' })
      expectSuccess(result)
      const ids = Object.fromEntries(FLEET.map(id => [String(id), emulator.snapshots(id)[0]?.id]))
      expect(JSON.parse(result.outputs.snapshot_ids ?? '')).toEqual(ids)
      expect((JSON.parse(result.outputs.results ?? '') as Array<{ server_id: number; status: string }>).map(row => [row.server_id, row.status])).toEqual(
        FLEET.map(id => [id, 'completed'])
      )
      expect(result.outputs).not.toHaveProperty('snapshot_id')
      const blocks = groups(result.stdout).filter(group => group.title.startsWith('Server '))
      expect(blocks.map(block => Number(/^Server (\d+)/.exec(block.title)?.[1])).sort()).toEqual(FLEET)
      for (const block of blocks) {
        const server = Number(/^Server (\d+)/.exec(block.title)?.[1])
        expect(block.lines.join('\n')).toContain(`of server ${server}.`)
        for (const other of FLEET.filter(id => id !== server)) expect(block.lines.join('\n')).not.toContain(`server ${other}`)
      }
    }))

  it('one server failing cancels nothing: the others are snapshotted, and one error names the server and why', () =>
    withFleet(2, async emulator => {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101 999 102', rollback_on_failure: 'true' })
      expectFailure(result, 'create-snapshot failed: 1 of 3 servers failed: server 999: HTTP 404 from GET /servers/999/: Not found.')
      expect(emulator.snapshots(101)).toHaveLength(1)
      expect(emulator.snapshots(102)).toHaveLength(1)
      expect(Object.keys(JSON.parse(result.outputs.snapshot_ids ?? '{}') as object)).toEqual(['101', '102'])
      expect((JSON.parse(result.outputs.results ?? '') as Array<{ error?: string }>)[1]?.error).toBe('HTTP 404 from GET /servers/999/: Not found.')
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
      const refused = emulator.requests.find(request => request.method === 'POST')?.at ?? 0
      const third = emulator.requests.find(request => request.path.endsWith('/servers/103/'))?.at ?? 0
      expect(third - refused).toBeGreaterThanOrEqual(1_900)
      expect(FLEET.map(id => emulator.snapshots(id).length)).toEqual([1, 1, 1])
    }))

  it('checks the status of every server waiting with one read of the whole list', () =>
    withFleet(5, async emulator => {
      // Long enough a job for several checks: waits begun a moment apart meet at the step's next tick.
      emulator.setJobSeconds(1.5)
      const result = await step(emulator, { operation: 'create-snapshot', server_id: fleet([101, 102, 103, 104, 105]), max_parallel: '5' })
      expectSuccess(result)
      const checks = calls(emulator).filter(call => call === 'GET /snapshots/' || call.startsWith('GET /snapshots/?page='))
      const perServer = calls(emulator).filter(call => call.startsWith('GET /snapshots/?server_id='))
      // Each server's list is read once, to plan its create; the status checks after that read the whole list, for every server at once.
      expect(checks.length).toBeGreaterThan(0)
      expect(perServer.length - 5).toBeLessThanOrEqual(checks.length)
    }))

  it('draws the fleet in the summary: a row per server, and a Mermaid timeline', () =>
    withFleet(2, async emulator => {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101 102 777' })
      expectFailure(result, 'server 777')
      const summary = summaryText(result)
      expect(summary).toContain('<th>server</th><th>item</th><th>status</th><th>size (MB)</th><th>time</th><th>error</th>')
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
      const inputs = { operation: 'wait-snapshot', snapshot_id: started.outputs.snapshot_ids ?? '', rollback_on_failure: 'true' }
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
      expect(titles.sort()).toEqual(FLEET.map(id => expect.stringMatching(new RegExp(`^Server ${id}: restore from snapshot ${ids[id]}, server running, `))))
    }))

  it('a fleet rollback that cannot restore one server restores the others, then fails naming that one', () =>
    withFleet(3, async emulator => {
      const inputs = { operation: 'create-snapshot', server_id: fleet(), rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const ids = JSON.parse(main.outputs.snapshot_ids ?? '') as Record<string, number>
      await step(emulator, { operation: 'delete-snapshot', snapshot_id: String(ids['102']) })
      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectFailure(post, 'rollback failed: 1 of 3 servers failed: server 102: could not be rolled back from snapshot', 'no longer exists')
      // The servers' snapshots are numbered in the order their creates reached the API, which varies.
      expect(restores(emulator).sort(), post.stdout).toEqual([`POST /snapshots/${ids['101']}/restore/`, `POST /snapshots/${ids['103']}/restore/`].sort())
    }))

  it('restore-snapshot from the snapshot_ids of an earlier job restores each server from its own snapshot', () =>
    withFleet(2, async emulator => {
      const made = await step(emulator, { operation: 'create-snapshot', server_id: '101 102' })
      expectSuccess(made)
      for (const id of [101, 102]) emulator.addSnapshot({ serverId: id, name: 'newer', createdAt: new Date(Date.now() + 60_000).toISOString() })
      const restored = await step(emulator, { operation: 'restore-snapshot', snapshot_id: made.outputs.snapshot_ids ?? '' })
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
