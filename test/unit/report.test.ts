// Outputs and job summary, written through the runner's files, and kept in step with action.yml.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { API_TOKEN, COMMON_INPUTS, OPERATION } from '../../src/inputs.ts'
import { OPERATIONS } from '../../src/registry.ts'
import { OUTPUT_NAMES, renderOutputs, type ServerResult } from '../../src/outputs.ts'
import { ActionsReporter, Recorder, writeReport } from '../../src/report.ts'
import { parseCommandFile } from '../support/commands.ts'
import { backup, snapshot } from '../support/fixtures.ts'
import { captureStdout } from '../support/stdout.ts'

let directory: string
let outputFile: string
let summaryFile: string
let stdout: ReturnType<typeof captureStdout>

// @actions/core remembers the summary file once it has written to it, so one file serves the
// whole file of tests and is emptied before each.
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'report-test-'))
  outputFile = join(directory, 'output')
  summaryFile = join(directory, 'summary')
})

afterAll(() => {
  rmSync(directory, { recursive: true, force: true })
})

beforeEach(() => {
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  vi.stubEnv('GITHUB_OUTPUT', outputFile)
  vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile)
  stdout = captureStdout()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

/** The outputs as the runner reads them back from GITHUB_OUTPUT. */
const outputs = () => parseCommandFile(readFileSync(outputFile, 'utf8'))
const summary = () => readFileSync(summaryFile, 'utf8')

/**
 * Sets the outputs as a step of one server does: the facts its reporter recorded (`item`,
 * `deleted`, …), as that server's result, rendered.
 */
function setOutputsOf(recorder: Recorder, serverId = 12345): void {
  const result: ServerResult = { serverId, startedAt: 0, endedAt: 1_000, ...recorder.outcome.facts }
  recorder.set(renderOutputs([result], 'item'))
}

describe('writeReport', () => {
  it('writes a snapshot’s outputs and a summary with a heading and a table', async () => {
    const outcome = new Recorder()
    outcome.item(
      snapshot({ id: 801, name: 'gha-octo-app-42-1-abc123', size_mb: 5120, created_at: '2025-01-15T18:30:00Z' })
    )
    outcome.note('Started snapshot 801 "gha-octo-app-42-1-abc123" of server 12345.')
    setOutputsOf(outcome)

    await writeReport('create-snapshot', outcome.outcome, 65_000, undefined)

    const { results, snapshot_ids, ...single } = outputs()
    expect(single).toEqual({
      snapshot_id: '801',
      snapshot_name: 'gha-octo-app-42-1-abc123',
      server_id: '12345',
      status: 'completed',
      size_mb: '5120',
      created_at: '2025-01-15T18:30:00Z'
    })
    expect(JSON.parse(results ?? '')).toEqual([
      {
        server_id: 12345,
        snapshot_id: 801,
        snapshot_name: 'gha-octo-app-42-1-abc123',
        size_mb: 5120,
        created_at: '2025-01-15T18:30:00Z',
        status: 'completed'
      }
    ])
    expect(JSON.parse(snapshot_ids ?? '')).toEqual({ 12345: 801 })
    const text = summary()
    expect(text).toMatch(/<h3>[^<]*create-snapshot[^<]*<\/h3>/)
    expect(text).toContain('Started snapshot 801')
    expect(text).toContain('<table>')
    expect(text).toContain('<td>snapshot_id</td><td>801</td>')
    expect(text).toContain('<td>server_id</td><td>12345</td>')
    // The JSON outputs are shown by the tables, not as a value in the outputs' table.
    expect(text).not.toContain('<td>results</td>')
    expect(text).not.toContain('<td>snapshot_ids</td>')
    expect(text).toContain('\n\nTook 1 min 5 s.\n')
  })

  it('still writes the outputs known before a failure, and puts the failure in the summary', async () => {
    const outcome = new Recorder()
    outcome.item(snapshot({ id: 802, status: 'failed', size_mb: null }))
    setOutputsOf(outcome)
    const failure = 'create-snapshot failed: snapshot 802 ended with status "failed"'

    await writeReport('create-snapshot', outcome.outcome, 3_000, failure)

    expect(outputs()).toMatchObject({ snapshot_id: '802', status: 'failed', server_id: '12345' })
    expect(outputs()).not.toHaveProperty('size_mb')
    const text = summary()
    expect(text).toMatch(/<h3>[^<]*create-snapshot[^<]*failed[^<]*<\/h3>/)
    expect(text).toContain('snapshot 802 ended with status')
    expect(text).toContain('<td>snapshot_id</td><td>802</td>')
  })

  it('writes a failure that came before any output', async () => {
    await writeReport(
      'create-snapshot',
      new Recorder().outcome,
      10,
      'create-snapshot failed: input "server_id" must be a positive integer; got "abc"'
    )
    expect(outputs()).toEqual({})
    expect(summary()).toContain('must be a positive integer; got "abc"')
    expect(summary()).toMatch(/<h3>[^<]*failed[^<]*<\/h3>/)
  })

  it('writes a backup’s outputs without a snapshot name', async () => {
    const outcome = new Recorder()
    outcome.item(backup({ id: 501, size_mb: 4523 }))
    setOutputsOf(outcome)
    await writeReport('create-backup', outcome.outcome, 1_000, undefined)
    expect(outputs()).toMatchObject({ backup_id: '501', server_id: '12345', status: 'completed', size_mb: '4523' })
    expect(JSON.parse(outputs().backup_ids ?? '')).toEqual({ 12345: 501 })
    expect(outputs()).not.toHaveProperty('snapshot_name')
    expect(outputs()).not.toHaveProperty('snapshot_id')
    expect(outputs()).not.toHaveProperty('snapshot_ids')
    expect(summary()).not.toContain('<td>backup_ids</td>')
  })

  it('writes deleted_ids as a JSON array, in the order deleted', async () => {
    const outcome = new Recorder()
    outcome.deleted(803)
    outcome.deleted(801)
    setOutputsOf(outcome)
    await writeReport('prune-snapshots', outcome.outcome, 1_000, undefined)
    expect(JSON.parse(outputs().deleted_ids!)).toEqual([803, 801])
    expect(JSON.parse(outputs().results!)).toEqual([{ server_id: 12345, deleted_ids: [803, 801] }])
    // A person reads deleted_ids in the outputs' table.
    expect(summary()).toContain('<td>deleted_ids</td><td>[803,801]</td>')
  })

  it('writes a list’s count and items, and draws the items in the summary', async () => {
    const items = [snapshot({ id: 801 }), snapshot({ id: 802, name: 'pre-migration' })]
    const outcome = new Recorder()
    outcome.set({ count: items.length, items })
    outcome.table(items)
    await writeReport('list-snapshots', outcome.outcome, 500, undefined)
    expect(outputs().count).toBe('2')
    expect(JSON.parse(outputs().items!)).toEqual(items)
    expect(summary()).toContain('pre-migration')
    expect(summary()).toContain('<td>802</td>')
  })

  it('draws the items with their descriptions, so that backups can be told apart', async () => {
    const outcome = new Recorder()
    outcome.table([
      backup({ id: 501, description: 'Before the 2.0 release' }),
      backup({ id: 502, description: 'Nightly' })
    ])
    await writeReport('list-backups', outcome.outcome, 500, undefined)
    expect(summary()).toContain('<th>description</th>')
    expect(summary()).toContain('<td>Before the 2.0 release</td>')
    expect(summary()).toContain('<td>Nightly</td>')
  })

  it('writes notices and warnings into the summary once each, marked as such', async () => {
    const outcome = new Recorder()
    outcome.notice('Snapshot 801 was already gone: nothing to delete.')
    outcome.warn('Rotation could not delete snapshot 799.')
    await writeReport('delete-snapshot', outcome.outcome, 500, undefined)
    expect(summary().match(/already gone/gi)).toHaveLength(1)
    expect(summary()).toContain('**Notice:** Snapshot 801 was already gone: nothing to delete.')
    expect(summary()).toContain('**Warning:** Rotation could not delete snapshot 799.')
  })

  it('writes items with a line break in a name back exactly as they were', async () => {
    const outcome = new Recorder()
    outcome.item(snapshot({ id: 9, name: 'odd\nname' }))
    setOutputsOf(outcome)
    await writeReport('wait-snapshot', outcome.outcome, 500, undefined)
    expect(outputs().snapshot_name).toBe('odd\nname')
    expect(JSON.parse(outputs().results!)[0].snapshot_name).toBe('odd\nname')
  })

  describe('with text from the API', () => {
    const hostile = 'x<script>alert(1)</script> | a | b\n::error::injected\r\n::set-output name=status::completed'

    async function report(): Promise<void> {
      const outcome = new Recorder()
      outcome.item(snapshot({ id: 7, name: hostile, description: hostile }))
      setOutputsOf(outcome)
      outcome.note(`Started snapshot 7 "${hostile}" of server 12345.`)
      outcome.table([snapshot({ id: 7, name: hostile })])
      await writeReport(
        'create-snapshot',
        outcome.outcome,
        500,
        `create-snapshot failed: HTTP 400 from POST /snapshots/: ${hostile}`
      )
    }

    it('escapes HTML in the summary', async () => {
      await report()
      expect(summary()).not.toContain('<script>')
      expect(summary()).toContain('&lt;script&gt;')
    })

    it('escapes the Markdown table separator outside the HTML tables', async () => {
      await report()
      const outsideTables = summary().replace(/<table>[\s\S]*?<\/table>/g, '')
      expect(outsideTables).toContain('x')
      expect(outsideTables).not.toMatch(/(^|[^\\])\|/)
    })

    it('never lets it start a line with "::", in the log or in the summary', async () => {
      await report()
      new ActionsReporter().note(`Started snapshot 7 "${hostile}" of server 12345.`)
      new ActionsReporter().warn(`Rotation could not delete snapshot 7 "${hostile}".`)
      expect(
        stdout
          .lines()
          .filter(line => line.startsWith('::') && !line.startsWith('::warning::Rotation could not delete snapshot 7 '))
      ).toEqual([])
      expect(
        summary()
          .split(/\r?\n/)
          .filter(line => line.trimStart().startsWith('::'))
      ).toEqual([])
    })

    it('keeps the failure on one line of the summary', async () => {
      await report()
      const failureLines = summary()
        .split(/\r?\n/)
        .filter(line => line.includes('HTTP 400'))
      expect(failureLines).toHaveLength(1)
      expect(failureLines[0]).toContain('injected')
      expect(failureLines[0]).toContain('set-output name=status')
    })
  })

  it('escapes the operation in the heading, which may be any text the user typed', async () => {
    await writeReport('<img src=x onerror=alert(1)>', new Recorder().outcome, 10, 'input "operation" must be one of …')
    expect(summary()).not.toContain('<img')
  })

  it('outside a runner (no GITHUB_STEP_SUMMARY) writes no summary and leaves nothing behind for the next', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', undefined)
    const first = new Recorder()
    first.note('first report')
    await expect(writeReport('list-backups', first.outcome, 10, undefined)).resolves.toBeUndefined()

    vi.stubEnv('GITHUB_STEP_SUMMARY', summaryFile)
    const second = new Recorder()
    second.note('second report')
    await writeReport('list-backups', second.outcome, 10, undefined)
    expect(summary()).toContain('second report')
    expect(summary()).not.toContain('first report')
  })
})

describe('a fleet in the summary', () => {
  const hostile = 'x<script>alert(1)</script> | a\n```\n::error::pwned'
  const snapshot = {
    id: 801,
    name: hostile,
    status: 'completed',
    size_mb: 5120,
    created_at: '2026-12-01T10:00:00Z',
    description: null,
    server: { id: 101, name: 'web-101' }
  }
  const rows = [
    { serverId: 101, item: snapshot, startedAt: 1_000_000, endedAt: 1_182_000 },
    { serverId: 102, startedAt: 1_000_035, endedAt: 1_001_200, error: `HTTP 404 from GET /servers/102/: ${hostile}` }
  ]

  it('draws a row per server and a Mermaid timeline, a bar per server, the failed one marked', async () => {
    const recorder = new Recorder()
    recorder.servers(rows, 'item')
    await writeReport('create-snapshot', recorder.outcome, 182_000, undefined)
    const text = summary()
    expect(text).toContain('<th>server</th><th>item</th><th>status</th><th>size (MB)</th><th>time</th><th>error</th>')
    expect(text).toContain('<td>101</td>')
    expect(text).toContain('<td>3 min 2 s</td>')
    const chart = /```mermaid\n([\s\S]*?)\n```/.exec(text)?.[1] ?? ''
    expect(chart.split('\n')).toEqual([
      'gantt',
      '    title The fleet, server by server',
      '    dateFormat x',
      '    axisFormat %H:%M:%S',
      '    section Servers',
      '    server 101 (snapshot 801) :done, s101, 1000000, 1182000',
      '    server 102 failed :crit, s102, 1000035, 1001200'
    ])
  })

  it('escapes what the API said in the table, and keeps it out of the chart', async () => {
    const recorder = new Recorder()
    recorder.servers(rows, 'item')
    await writeReport('create-snapshot', recorder.outcome, 182_000, undefined)
    const text = summary()
    expect(text).not.toContain('<script>')
    expect(text).toContain('&lt;script&gt;')
    expect(/```mermaid\n([\s\S]*?)\n```/.exec(text)?.[1]).not.toMatch(/script|pwned|404/)
    // The chart's block is closed once, by the action: no line from the API ends it early.
    expect(text.split('\n').filter(line => line.startsWith('```'))).toEqual(['```mermaid', '```'])
  })
})

describe('action.yml and the code agree', () => {
  interface Metadata {
    inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>
    outputs: Record<string, { description?: string }>
    runs: Record<string, string>
  }
  const metadata = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as Metadata

  it('declares exactly the outputs the reporter sets', () => {
    expect(Object.keys(metadata.outputs).sort()).toEqual([...OUTPUT_NAMES].sort())
    expect(new Set(OUTPUT_NAMES).size).toBe(OUTPUT_NAMES.length)
  })

  // Each declaration of an input, in every operation that reads it, assumes the default the runner passes.
  const declarations = [
    ...[OPERATION, API_TOKEN, ...Object.values(COMMON_INPUTS)].map(input => ({
      operation: '(every operation)',
      input
    })),
    ...OPERATIONS.flatMap(entry => entry.inputs.map(input => ({ operation: entry.operation, input })))
  ]

  it('declares exactly the inputs the operations read', () => {
    const read = new Set(declarations.map(({ input }) => input.name))
    expect(Object.keys(metadata.inputs).sort()).toEqual([...read].sort())
  })

  it.each(declarations)('gives input $input.name of $operation the default the code assumes', ({ input }) => {
    const declared = metadata.inputs[input.name]?.default
    expect(
      declared === undefined ? undefined : typeof declared === 'string' ? declared : JSON.stringify(declared)
    ).toBe(input.default)
  })

  it('requires operation and api_token, and nothing else', () => {
    const required = Object.entries(metadata.inputs)
      .filter(([, input]) => input.required === true)
      .map(([name]) => name)
    expect(required.sort()).toEqual(['api_token', 'operation'])
  })

  it('describes every input and output', () => {
    for (const entry of [...Object.values(metadata.inputs), ...Object.values(metadata.outputs)]) {
      expect(entry.description?.trim()).toBeTruthy()
    }
  })

  it('runs on node24 with a post step only when the job failed', () => {
    expect(metadata.runs).toMatchObject({ using: 'node24', post: metadata.runs.main, 'post-if': 'failure()' })
  })
})
