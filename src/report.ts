import * as core from '@actions/core'
import type { Backup, Item, Snapshot } from './api/types.ts'
import { formatDuration, plain } from './format.ts'

/** Every output of `action.yml`; a test keeps the two in step. */
export const OUTPUT_NAMES = [
  'snapshot_id',
  'snapshot_name',
  'backup_id',
  'server_id',
  'status',
  'size_mb',
  'created_at',
  'count',
  'items',
  'deleted_ids'
] as const

export type OutputName = (typeof OUTPUT_NAMES)[number]

/** Longest list drawn as a table in the job summary; the `items` output always has them all. */
const SUMMARY_TABLE_ROWS = 50

/**
 * What an operation found out, recorded as it goes, so that what was known before a failure
 * (the id of a snapshot whose job then failed) still reaches the outputs and the summary.
 */
export class Outcome {
  readonly outputs = new Map<OutputName, string>()
  readonly facts: Array<[string, string]> = []
  readonly lines: string[] = []
  table: Item[] | undefined
  readonly #deleted: number[] = []

  set(outputs: Partial<Record<OutputName, string | number | unknown[]>>): void {
    for (const [name, value] of Object.entries(outputs) as Array<[OutputName, unknown]>) {
      if (value !== undefined) this.outputs.set(name, typeof value === 'string' ? value : JSON.stringify(value))
    }
  }

  /** The outputs of one snapshot or backup, as it is now. */
  item(item: Snapshot | Backup): void {
    const isSnapshot = 'name' in item
    this.set({
      [isSnapshot ? 'snapshot_id' : 'backup_id']: item.id,
      ...(isSnapshot ? { snapshot_name: item.name } : {}),
      server_id: item.server.id,
      status: item.status,
      size_mb: item.size_mb ?? undefined,
      created_at: item.created_at
    })
  }

  /** Adds an id to the `deleted_ids` output. */
  deleted(id: number): void {
    this.#deleted.push(id)
    this.set({ deleted_ids: this.#deleted })
  }

  /** A line of the summary that says what was done (or would be, in a dry run). */
  say(line: string): void {
    core.info(plain(line))
    this.lines.push(line)
  }
}

/** Outputs and job summary, written from this one place whether the operation succeeded or not. */
export async function writeReport(operation: string, outcome: Outcome, elapsedMs: number, failure: string | undefined): Promise<void> {
  for (const [name, value] of outcome.outputs) core.setOutput(name, value)
  const summary = core.summary.addHeading(escapeHtml(plain(`VPS.org ${operation}: ${failure ? 'failed' : 'done'}`)), 3)
  for (const line of outcome.lines) summary.addRaw(`${escapeMarkdown(line)}\n\n`)
  if (failure) summary.addRaw(`**Error:** ${escapeMarkdown(failure)}\n\n`)
  const rows = [...outputRows(outcome), ['time taken', formatDuration(elapsedMs)]]
  summary.addTable([[{ data: 'output', header: true }, { data: 'value', header: true }], ...rows.map(cells)])
  if (outcome.table) addItemTable(outcome.table)
  // Outside a runner (a local run) there is no summary file: the log already said it all.
  if (!process.env.GITHUB_STEP_SUMMARY) return void summary.emptyBuffer()
  await summary.write().catch((error: unknown) => core.warning(`The job summary could not be written: ${String(error)}`))
}

function outputRows(outcome: Outcome): string[][] {
  return [...outcome.outputs].filter(([name]) => name !== 'items').map(([name, value]) => [name, value])
}

function addItemTable(items: Item[]): void {
  const header = ['id', 'name or type', 'server', 'status', 'size (MB)', 'created'].map(data => ({ data, header: true }))
  const rows = items.slice(0, SUMMARY_TABLE_ROWS).map(item =>
    cells([String(item.id), labelOf(item), String(item.server.id), item.status, String(item.size_mb ?? ''), item.created_at])
  )
  core.summary.addTable([header, ...rows])
  if (items.length > SUMMARY_TABLE_ROWS) core.summary.addRaw(`…and ${items.length - SUMMARY_TABLE_ROWS} more, all in the \`items\` output.\n`)
}

function labelOf(item: Item): string {
  return 'name' in item ? String(item.name) : String((item as Backup).backup_type)
}

function cells(values: string[]): Array<{ data: string }> {
  return values.map(value => ({ data: escapeHtml(plain(value)) }))
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeMarkdown(text: string): string {
  return escapeHtml(plain(text)).replace(/([\\`*_[\]|])/g, '\\$1')
}
