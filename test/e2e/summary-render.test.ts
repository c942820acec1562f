// What a person sees of the job summary once GitHub has drawn it: these are the lessons of
// rendering real summaries (the committed bundle against the emulator) with a GFM renderer and
// Mermaid in a headless browser, kept as checks on the Markdown itself. GitHub reads a
// `<table>` line as an HTML block, so nothing inside it is Markdown; everything outside it is.
import { describe, expect, it } from 'vitest'
import type { StepResult } from '../support/bundle.ts'
import { fleetServers, type Emulator } from '../emulator/server.ts'
import { daysAgo } from '../support/seeds.ts'
import { expectFailure, expectSuccess, serverRows, start, step, test, WEB } from '../support/steps.ts'

/** A fresh emulator with the fleet's servers 101 to 100 + count, closed after `work`. */
async function withFleet(count: number, work: (emulator: Emulator) => Promise<void>): Promise<void> {
  const emulator = await start({ servers: fleetServers(count) })
  try {
    await work(emulator)
  } finally {
    await emulator.close()
  }
}

/** The summary's blocks as GitHub separates them (a blank line between), in order. */
function blocks(result: StepResult): string[] {
  return result.summary
    .split(/\n\n+/)
    .map(block => block.trim())
    .filter(Boolean)
}

/** Where each kind of section starts in the summary, -1 for one it lacks. */
function sections(
  result: StepResult
): Record<'heading' | 'error' | 'servers' | 'timeline' | 'rollback' | 'took', number> {
  const { summary } = result
  return {
    heading: summary.indexOf('<h3>'),
    error: summary.indexOf('**Error:**'),
    servers: summary.indexOf('<table><tr><th>server</th>'),
    timeline: summary.indexOf('```mermaid'),
    rollback: summary.indexOf('#### Rollback'),
    took: summary.lastIndexOf('\nTook ')
  }
}

/** The gantt chart's bars: `server 101 (snapshot 801) :done, s101, <from>, <to>`. */
function bars(result: StepResult): Array<{ label: string; tag: string; id: string; from: number; to: number }> {
  const chart = /```mermaid\n([\s\S]*?)\n```/.exec(result.summary)?.[1] ?? ''
  return [...chart.matchAll(/^ {4}(server [^:]+?) :(done|crit|active), (s\d+), (\d+), (\d+)$/gm)].map(
    ([, label = '', tag = '', id = '', from, to]) => ({
      label,
      tag,
      id,
      from: Number(from),
      to: Number(to)
    })
  )
}

/** The Markdown characters of a paragraph left unescaped, its leading `**Error:**` aside. */
function unescaped(paragraph: string): string[] {
  return paragraph
    .replace(/^\*\*\w+:\*\* /, '')
    .replace(/\\[\\`*_[\]|]/g, '')
    .split('')
    .filter(char => '\\`*_[]|'.includes(char))
}

describe('the job summary, as GitHub draws it', () => {
  test('the heading is the first thing, an h3 naming the operation and how it ended, then a blank line', async ({
    emulator
  }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
    expectSuccess(result)
    expect(result.summary).toMatch(/^<h3>VPS\.org create-snapshot: done<\/h3>\n\n/)
    // One heading: nothing repeats the title further down.
    expect(result.summary.match(/<h3>/g)).toHaveLength(1)
  })

  test("an item's name with Markdown characters shows as written in the table, unescaped, since a table is HTML", async ({
    emulator
  }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'weird *name* | with_pipes', description: 'a `tick` and \\ backslash' })
    const result = await step(emulator, { operation: 'list-snapshots' })
    expectSuccess(result)
    // Inside the HTML block a backslash escape would show literally: none is added.
    expect(result.summary).toContain('<td>weird *name* | with_pipes</td><td>a `tick` and \\ backslash</td>')
    expect(result.summary).not.toMatch(/<td>[^<]*\\[*_|`[\]][^<]*<\/td>/)
  })

  test('a line outside the tables has its Markdown characters escaped, so none shows as emphasis or code', async ({
    emulator
  }) => {
    for (const days of [3, 2])
      emulator.addSnapshot({ serverId: WEB, name: `gha-old_${days}*|`, createdAt: daysAgo(days) })
    const result = await step(emulator, {
      operation: 'prune-snapshots',
      server_id: String(WEB),
      keep: '1',
      dry_run: 'true'
    })
    expectSuccess(result)
    expect(result.summary).toContain('(name\\_prefix "gha-"); keeping the newest 1.\n\n')
    expect(result.summary).toContain('would delete snapshot 801 "gha-old\\_3\\*\\|"')
    // Every paragraph outside HTML: an underscore, asterisk, backtick or pipe is escaped.
    for (const block of blocks(result).filter(block => !block.startsWith('<')))
      expect(unescaped(block), block).toEqual([])
  })

  test('a dry run: the heading says nothing changed, each planned change is its own "would" line above the table, no "done"', async ({
    emulator
  }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'gha-acme-shop-1-1-abcdef', createdAt: daysAgo(3) })
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      dry_run: 'true',
      keep: '1'
    })
    expectSuccess(result)
    const [heading, create, rotate] = blocks(result)
    expect(heading).toBe('<h3>VPS.org create-snapshot: dry run, nothing changed</h3>')
    expect(create).toMatch(
      /^Dry run: would create snapshot "gha-acme-shop-9876543210-1-[0-9a-f]{6}" of server 12345\.$/
    )
    expect(rotate).toMatch(
      /^Dry run: would delete snapshot \d+ "gha-acme-shop-1-1-abcdef" of \S+Z on server 12345 to keep the newest 1\.$/
    )
    expect(result.summary.indexOf('would delete')).toBeLessThan(sections(result).servers)
    expect(result.summary).not.toMatch(/done|Rollback armed/)
    // Nothing was made: the row says what would be, and has no status or size.
    expect(serverRows(result)).toEqual([
      expect.objectContaining({
        server: String(WEB),
        item: expect.stringMatching(/^would create snapshot "gha-/),
        status: '',
        'size (MB)': '',
        deleted: expect.stringMatching(/^would delete \d+$/)
      })
    ])
  })

  test('a prune dry run: how many the action made and how many it keeps, then one "would delete" line per snapshot, oldest first', async ({
    emulator
  }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'by-hand', createdAt: daysAgo(9) })
    for (const days of [5, 4, 3])
      emulator.addSnapshot({ serverId: WEB, name: `gha-acme-shop-${days}`, createdAt: daysAgo(days) })
    const result = await step(emulator, {
      operation: 'prune-snapshots',
      server_id: String(WEB),
      keep: '1',
      dry_run: 'true'
    })
    expectSuccess(result)
    expect(result.summary).toContain('<h3>VPS.org prune-snapshots: dry run, nothing changed</h3>')
    expect(result.summary).toContain(
      'Server 12345 has 3 snapshots made by this action (name\\_prefix "gha-"); keeping the newest 1.'
    )
    const planned = [...result.summary.matchAll(/would delete snapshot \d+ "([^"]+)"/g)].map(match => match[1])
    expect(planned).toEqual(['gha-acme-shop-5', 'gha-acme-shop-4'])
    expect(result.summary).not.toContain('by-hand')
    expect(serverRows(result)).toEqual([
      expect.objectContaining({ deleted: expect.stringMatching(/^would delete \d+, \d+$/) })
    ])
  })

  it('a fleet with one failed server: the error first, then a row per server in order, the failed one with only its error', () =>
    withFleet(3, async emulator => {
      emulator.injectFor('POST /snapshots/', 102, { kind: 'status', status: 404 })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103' })
      expectFailure(result, '1 of 3 servers failed: server 102: HTTP 404')
      expect(result.summary).toMatch(
        /^<h3>VPS\.org create-snapshot: failed<\/h3>\n\n\*\*Error:\*\* create-snapshot failed: 1 of 3 servers failed: server 102: /
      )
      const rows = serverRows(result)
      expect(rows.map(row => row.server)).toEqual(['101', '102', '103'])
      expect(rows[1]).toEqual(
        expect.objectContaining({
          item: '',
          status: '',
          'size (MB)': '',
          error: expect.stringMatching(/^HTTP 404 from POST /)
        })
      )
      // The servers that succeeded have every value filled in, and no error.
      for (const row of [rows[0], rows[2]])
        expect(row).toEqual(
          expect.objectContaining({
            item: expect.stringMatching(/^snapshot \d+ "gha-/),
            status: 'completed',
            'size (MB)': expect.stringMatching(/^\d+$/),
            error: ''
          })
        )
      const at = sections(result)
      expect(at.heading < at.error && at.error < at.servers && at.servers < at.timeline && at.timeline < at.took).toBe(
        true
      )
    }))

  it("a fleet's timeline draws one bar per server, in the table's order, the failed one marked crit and named failed", () =>
    withFleet(3, async emulator => {
      emulator.injectFor('POST /snapshots/', 102, { kind: 'status', status: 404 })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103' })
      expect(result.exitCode).toBe(1)
      expect(result.summary).toContain(
        '```mermaid\ngantt\n    title The fleet, server by server\n    dateFormat x\n    axisFormat %H:%M:%S\n    section Servers\n'
      )
      const drawn = bars(result)
      expect(drawn.map(bar => bar.id)).toEqual(['s101', 's102', 's103'])
      expect(drawn.map(bar => `${bar.label} ${bar.tag}`)).toEqual([
        expect.stringMatching(/^server 101 \(snapshot \d+\) done$/),
        'server 102 failed crit',
        expect.stringMatching(/^server 103 \(snapshot \d+\) done$/)
      ])
      // Every bar has a length, so Mermaid draws it: it never ends before, or when, it starts.
      for (const bar of drawn) expect(bar.to).toBeGreaterThan(bar.from)
      // Only the action's words: the snapshots' names from the API stay out of the chart.
      expect(/```mermaid[\s\S]*```/.exec(result.summary)?.[0]).not.toMatch(/"|gha-/)
    }))

  test('one server draws no timeline', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
    expectSuccess(result)
    expect(result.summary).not.toContain('```mermaid')
  })

  it('a fleet restore with one server lacking a snapshot: that row says why, the others say they were held back, none shows a status', () =>
    withFleet(3, async emulator => {
      emulator.addSnapshot({ serverId: 101, name: 'a' })
      emulator.addSnapshot({ serverId: 103, name: 'c' })
      const result = await step(emulator, {
        operation: 'restore-snapshot',
        server_id: '101, 102, 103',
        snapshot_id: 'latest'
      })
      expectFailure(result, 'server 102 has no completed snapshot to use as "latest"')
      const held = "not restored: no server is, unless every server's snapshot is found"
      expect(serverRows(result)).toEqual([
        expect.objectContaining({
          server: '101',
          item: expect.stringMatching(/^snapshot \d+ "a"$/),
          'server status': '',
          error: held
        }),
        expect.objectContaining({
          server: '102',
          item: '',
          'server status': '',
          error: 'server 102 has no completed snapshot to use as "latest" (0 snapshots in all)'
        }),
        expect.objectContaining({
          server: '103',
          item: expect.stringMatching(/^snapshot \d+ "c"$/),
          'server status': '',
          error: held
        })
      ])
      expect(result.summary).toContain(`; the others were ${held}\n\n`)
      expect(emulator.restores).toEqual([])
      expect(
        bars(result)
          .filter(bar => bar.tag === 'crit')
          .map(bar => bar.label)
      ).toEqual(['server 102 failed'])
    }))

  test('the rollback armed: its own "Rollback" section below the table and above the time, saying which snapshot it would restore', async ({
    emulator
  }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true'
    })
    expectSuccess(result)
    const id = result.outputs.snapshot_id ?? ''
    const at = sections(result)
    expect(at.servers < at.rollback && at.rollback < at.took).toBe(true)
    expect(blocks(result).slice(-3)).toEqual([
      '#### Rollback',
      `Rollback armed: if a later step of this job fails, the post step restores server ${WEB} from snapshot ${id}.`,
      expect.stringMatching(/^Took \d/)
    ])
  })

  it("a fleet's rollback armed, then done: one line naming each server with its own snapshot, after the timeline", () =>
    withFleet(3, async emulator => {
      const inputs = { operation: 'create-snapshot', server_id: '101, 102, 103', rollback_on_failure: 'true' }
      const main = await step(emulator, inputs)
      expectSuccess(main)
      const made = serverRows(main).map(
        row => `server ${row.server} from ${/^snapshot \d+/.exec(row.item ?? '')?.[0] ?? '?'}`
      )
      expect(main.summary).toContain(
        `#### Rollback\n\nRollback armed: if a later step of this job fails, the post step restores ${made.join(', ')}.\n\n`
      )
      const at = sections(main)
      expect(at.timeline < at.rollback && at.rollback < at.took).toBe(true)

      const post = await step(emulator, inputs, { post: { state: main.state } })
      expectSuccess(post)
      expect(post.summary).toMatch(/^<h3>VPS\.org rollback: done<\/h3>\n\n/)
      expect(serverRows(post).map(row => row['server status'])).toEqual(['running', 'running', 'running'])
      const restored = made.map(line => line.replace(' from ', ' restored from '))
      expect(post.summary).toContain(`#### Rollback\n\nRolled back: ${restored.join(', ')}.\n\n`)
      expect(bars(post)).toHaveLength(3)
    }))

  test('the post step that rolls back one server: heading "rollback", the server running again, the Rollback section saying so', async ({
    emulator
  }) => {
    const inputs = { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true' }
    const main = await step(emulator, inputs)
    expectSuccess(main)
    const post = await step(emulator, inputs, { post: { state: main.state } })
    expectSuccess(post)
    const id = main.outputs.snapshot_id ?? ''
    expect(blocks(post)).toEqual([
      '<h3>VPS.org rollback: done</h3>',
      expect.stringMatching(
        new RegExp(
          `^<table><tr><th>server</th>.*<tr><td>${WEB}</td><td>snapshot ${id} "gha-[^"]+"</td><td>running</td>`
        )
      ),
      '#### Rollback',
      `Rolled back: server ${WEB} restored from snapshot ${id}.`,
      expect.stringMatching(/^Took \d/)
    ])
  })

  test('a list: how many were found, then a row per item newest first with every value filled in', async ({
    emulator
  }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'older', description: 'first', createdAt: daysAgo(9) })
    emulator.addSnapshot({ serverId: WEB, name: 'newer', description: 'second', createdAt: daysAgo(2) })
    const result = await step(emulator, { operation: 'list-snapshots' })
    expectSuccess(result)
    expect(blocks(result)[1]).toBe('Found 2 snapshots.')
    const table = /<table><tr><th>id<\/th>.*?<\/table>/.exec(result.summary)?.[0] ?? ''
    expect(table).toContain(
      '<tr><th>id</th><th>name or type</th><th>description</th><th>server</th><th>status</th><th>size (MB)</th><th>created</th></tr>'
    )
    const rows = [...table.matchAll(/<tr>(<td>.*?)<\/tr>/g)].map(([, row = '']) =>
      [...row.matchAll(/<td>(.*?)<\/td>/g)].map(([, cell]) => cell)
    )
    expect(rows.map(row => row[1])).toEqual(['newer', 'older'])
    for (const row of rows) {
      expect(row).toHaveLength(7)
      expect(
        row.filter(cell => cell === ''),
        `an empty cell in ${row.join(' | ')}`
      ).toEqual([])
      expect(row[6]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    }
  })

  it('no summary shows JSON, leaves an HTML tag unclosed, or runs Markdown into the line after an HTML block', () =>
    withFleet(3, async emulator => {
      emulator.addSnapshot({ serverId: 101, name: 'gha-acme-shop-old', createdAt: daysAgo(3) })
      const results = [
        await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103', keep: '1' }),
        await step(emulator, { operation: 'create-snapshot', server_id: '101, 102', dry_run: 'true' }),
        await step(emulator, { operation: 'list-snapshots' }),
        await step(emulator, { operation: 'restore-snapshot', server_id: '101, 103', snapshot_id: 'latest' })
      ]
      for (const result of results) {
        expectSuccess(result)
        expect(result.summary).not.toMatch(/\[\{|\{"|":/)
        for (const tag of ['table', 'tr', 'td', 'th', 'h3'])
          expect(result.summary.split(`<${tag}>`).length, `<${tag}> closed`).toBe(
            result.summary.split(`</${tag}>`).length
          )
        expect(result.summary).not.toMatch(/<\/(h3|table)>\n(?!\n)/)
        // The time is the last line, said once.
        expect(result.summary.match(/^Took /gm)).toHaveLength(1)
        expect(result.summary).toMatch(/\nTook [^\n]+\.\n$/)
      }
    }))
})
