// Retention as the runner sees it through the committed bundle: what a create and a prune keep by
// age and calendar, the item a create made with `protect`, the limit refused before any POST, a
// dry run that only reads, and the summary's table of why each item stays.
import { describe, expect } from 'vitest'
import type { Emulator } from '../emulator/server.ts'
import { calls, expectFailure, expectSuccess, step, summaryTable, test, WEB, writes } from '../support/steps.ts'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** `hour` o'clock UTC, `days` calendar days before today: always in the past, and on that day whatever the time now. */
function dayAt(days: number, hour: number): string {
  const midnight = new Date(new Date().toISOString().slice(0, 10)).getTime()
  return new Date(midnight - days * DAY_MS + hour * HOUR_MS).toISOString()
}

/** Midnight UTC starting the Monday of this ISO week, `weeks` weeks back, and `days` days on from it. */
function weekAt(weeks: number, days: number): string {
  const midnight = new Date(new Date().toISOString().slice(0, 10)).getTime()
  const monday = midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY_MS
  return new Date(monday - weeks * 7 * DAY_MS + days * DAY_MS).toISOString()
}

function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * HOUR_MS).toISOString()
}

function own(emulator: Emulator, name: string, createdAt: string): number {
  return emulator.addSnapshot({ serverId: WEB, name: `gha-${name}`, createdAt }).id
}

/** The summary's retention table: id → what it says of the item. */
function retention(result: Parameters<typeof summaryTable>[0]): Record<string, string> {
  return Object.fromEntries(summaryTable(result, 'id').map(row => [row.id ?? '', row.retention ?? '']))
}

describe('protect', () => {
  test('a protected snapshot survives every later rotation, and the summary says why', async ({ emulator }) => {
    const made = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), protect: 'true' })
    expectSuccess(made)
    expect(made.outputs.snapshot_name).toMatch(/^gha-.*-protected$/)
    const protectedId = made.outputs.snapshot_id ?? ''
    for (let run = 0; run < 2; run++)
      expectSuccess(await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' }))
    const last = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
    expectSuccess(last)
    expect(emulator.snapshots(WEB).map(snapshot => String(snapshot.id))).toContain(protectedId)
    expect(emulator.snapshots(WEB)).toHaveLength(2)
    expect(retention(last)[protectedId]).toBe('kept: protected')
  })
})

describe('retention by calendar and age', () => {
  test('create-snapshot with keep_daily 2 keeps the new one and the newest of the day before; the rest go once it is completed', async ({
    emulator
  }) => {
    const latest = own(emulator, 'yesterday-late', dayAt(1, 10))
    const early = own(emulator, 'yesterday-early', dayAt(1, 8))
    const older = own(emulator, 'two-days', dayAt(2, 12))
    const oldest = own(emulator, 'three-days', dayAt(3, 12))
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep_daily: '2' })
    expectSuccess(result)
    expect(JSON.parse(result.outputs.deleted_ids ?? '')).toEqual([oldest, older, early])
    expect(emulator.snapshots(WEB).map(snapshot => snapshot.id)).toEqual(
      expect.arrayContaining([latest, Number(result.outputs.snapshot_id)])
    )
    expect(retention(result)).toEqual({
      [result.outputs.snapshot_id ?? '']: 'kept: the item just made, daily',
      [latest]: 'kept: daily',
      [early]: 'deleted',
      [older]: 'deleted',
      [oldest]: 'deleted'
    })
  })

  test('prune-snapshots with keep_within 36h keeps what is younger, and the newest however old', async ({
    emulator
  }) => {
    const fresh = own(emulator, 'fresh', hoursAgo(1))
    const young = own(emulator, 'young', hoursAgo(30))
    const stale = own(emulator, 'stale', hoursAgo(40))
    const ancient = own(emulator, 'ancient', hoursAgo(240))
    const foreign = emulator.addSnapshot({ serverId: WEB, name: 'by-hand', createdAt: hoursAgo(500) }).id
    const result = await step(emulator, { operation: 'prune-snapshots', server_id: String(WEB), keep_within: '36h' })
    expectSuccess(result)
    expect(JSON.parse(result.outputs.deleted_ids ?? '')).toEqual([ancient, stale])
    expect(
      emulator
        .snapshots(WEB)
        .map(snapshot => snapshot.id)
        .sort()
    ).toEqual([fresh, young, foreign].sort())
    expect(result.stdout).toContain('keeping those within 1d12h.')
    // A foreign snapshot is not the action's to judge: it is not in the table.
    expect(retention(result)).toEqual({
      [fresh]: 'kept: within 1d12h, newest completed',
      [young]: 'kept: within 1d12h',
      [stale]: 'deleted',
      [ancient]: 'deleted'
    })
  })

  test('at the limit, with every own snapshot kept by keep_daily: refused before any POST, naming the rule to loosen', async ({
    emulator
  }) => {
    for (let days = 1; days <= 5; days++) own(emulator, `day-${days}`, dayAt(days, 12))
    const from = emulator.requests.length
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep_daily: '7' })
    expectFailure(result, "the provider's limit is 5", 'Loosen keep_daily', 'No snapshot was created.')
    expect(writes(emulator, from)).toEqual([])
    // The summary shows what keeps each one, so that the reader sees what to loosen or delete.
    expect(Object.values(retention(result))).toEqual(Array(5).fill('kept: daily'))
    expect(emulator.snapshots(WEB)).toHaveLength(5)
  })

  test('a dry run of a prune sends only GETs and shows what each rule keeps and what would go', async ({
    emulator
  }) => {
    const thisWeek = own(emulator, 'this-week', weekAt(0, 0))
    const lastWeek = own(emulator, 'last-wednesday', weekAt(1, 2))
    const sameWeek = own(emulator, 'last-tuesday', weekAt(1, 1))
    const longAgo = own(emulator, 'long-ago', weekAt(6, 0))
    const from = emulator.requests.length
    const result = await step(emulator, {
      operation: 'prune-snapshots',
      server_id: String(WEB),
      keep: '1',
      keep_weekly: '2',
      dry_run: 'true'
    })
    expectSuccess(result)
    expect(calls(emulator, from).every(call => call.startsWith('GET '))).toBe(true)
    expect(emulator.snapshots(WEB)).toHaveLength(4)
    expect(retention(result)).toEqual({
      [thisWeek]: 'kept: newest 1, weekly, newest completed',
      [lastWeek]: 'kept: weekly',
      [sameWeek]: 'would delete',
      [longAgo]: 'would delete'
    })
    expect(result.summary).toContain('Server 12345: 2 kept, 2 would go')
  })
})

describe("the summary's retention table", () => {
  test("a fleet's tables fold, one per server, each with a blank line after its HTML so the Markdown after it renders", async ({
    emulator
  }) => {
    for (const id of [101, 102]) {
      emulator.addServer({ id, name: `web-${id}` })
      for (const days of [1, 2])
        emulator.addSnapshot({ serverId: id, name: `gha-${id}-${days}`, createdAt: dayAt(days, 12) })
    }
    const result = await step(emulator, { operation: 'prune-snapshots', server_id: '101, 102', keep: '1' })
    expectSuccess(result)
    const section = result.summary.slice(result.summary.indexOf('#### Retention\n\n'))
    expect(
      section.match(
        /<details><summary>Server (\d+): 1 kept, 1 deleted<\/summary>\n\n<table>.*?<\/table>\n\n<\/details>\n\n/gs
      )
    ).toHaveLength(2)
    expect(section.indexOf('Server 101')).toBeLessThan(section.indexOf('Server 102'))
  })

  test('a dry run of a create shows the item it would make on top, and what would go', async ({ emulator }) => {
    const older = own(emulator, 'older', dayAt(2, 12))
    const newer = own(emulator, 'newer', dayAt(1, 12))
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      keep: '2',
      dry_run: 'true'
    })
    expectSuccess(result)
    expect(summaryTable(result, 'id').map(row => [row.id, row.status, row.retention])).toEqual([
      ['(new)', 'would create', 'kept: the item just made, newest 2'],
      [String(newer), 'completed', 'kept: newest 2'],
      [String(older), 'completed', 'would delete']
    ])
  })
})

describe("the summary's word for each item, whatever happened", () => {
  test('a protected create with keep 1 keeps the newest everyday snapshot, and its own row says it is protected', async ({
    emulator
  }) => {
    const older = own(emulator, 'older', dayAt(2, 12))
    const newer = own(emulator, 'newer', dayAt(1, 12))
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      keep: '1',
      protect: 'true'
    })
    expectSuccess(result)
    expect(retention(result)).toEqual({
      [result.outputs.snapshot_id ?? '']: 'kept: the item just made, protected',
      [newer]: 'kept: newest 1',
      [older]: 'deleted'
    })
  })

  test('a create whose snapshot fails deletes nothing after it, and says why for each item the rules let go', async ({
    emulator
  }) => {
    const older = own(emulator, 'older', dayAt(2, 12))
    const newer = own(emulator, 'newer', dayAt(1, 12))
    emulator.failNextJob('snapshot')
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), keep: '1' })
    expectFailure(result, 'failed')
    expect(retention(result)).toEqual({
      [result.outputs.snapshot_id ?? '']: 'failed: no rule keeps it',
      [newer]: 'not deleted: the step failed before its delete',
      [older]: 'not deleted: the step failed before its delete'
    })
    expect(result.summary).toContain(`Server ${WEB}: 1 failed, 2 not deleted`)
  })

  test('with wait: false the deletions after the create wait for a prune, and the table says so', async ({
    emulator
  }) => {
    const older = own(emulator, 'older', dayAt(2, 12))
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      keep: '1',
      wait: 'false'
    })
    expectSuccess(result)
    expect(retention(result)[older]).toBe('not deleted: the new item is not completed yet (wait is false); prune later')
  })
})
