import * as core from '@actions/core'
import type { Backup, Item, Snapshot } from './api/types.ts'
import { formatDuration, plain } from './format.ts'
import { describeAction, type Action } from './plan/actions.ts'

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
export type Outputs = Partial<Record<OutputName, string | number | unknown[]>>

/**
 * What an operation says, handed to it rather than imported, so that it runs in a test or beside
 * another one without writing to the runner's log itself.
 */
export interface Reporter {
  /** A line of the log: progress, detail. */
  say(line: string): void
  /** What was done: a line of the log and of the job summary. */
  note(line: string): void
  /** A notice annotation, and the same line in the job summary. */
  notice(line: string): void
  /** A warning annotation, and the same line in the job summary: something to act on, the step still succeeds. */
  warn(line: string): void
  /** A folded part of the log. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  /** The outputs of one snapshot or backup, as it is now. */
  item(item: Snapshot | Backup): void
  set(outputs: Outputs): void
  /** Adds an id to the `deleted_ids` output. */
  deleted(id: number): void
  /** In a dry run: one thing the real run would do. */
  planned(action: Action): void
  /** Items to draw as a table in the job summary. */
  table(items: Item[]): void
}

export type SummaryLevel = 'note' | 'notice' | 'warning'

/** What a step found out and did, recorded as it goes, so that what was known before a failure still reaches the outputs and the summary. */
export class Outcome {
  readonly outputs = new Map<OutputName, string>()
  readonly lines: Array<{ level: SummaryLevel; text: string }> = []
  readonly planned: Action[] = []
  readonly deletedIds: number[] = []
  items: Item[] | undefined

  set(outputs: Outputs): void {
    for (const [name, value] of Object.entries(outputs) as Array<[OutputName, unknown]>) {
      if (value !== undefined) this.outputs.set(name, typeof value === 'string' ? value : JSON.stringify(value))
    }
  }
}

export type LogLine = { level: 'info' | 'notice' | 'warning'; text: string } | { level: 'group'; title: string; lines: LogLine[] }

/** Records everything and prints nothing: what a test reads, and what a fleet's server speaks into until its block is printed. */
export class Recorder implements Reporter {
  readonly outcome = new Outcome()
  readonly log: LogLine[] = []
  #into: LogLine[] = this.log

  say(line: string): void {
    this.#into.push({ level: 'info', text: plain(line) })
  }

  note(line: string): void {
    this.say(line)
    this.outcome.lines.push({ level: 'note', text: line })
  }

  notice(line: string): void {
    this.#into.push({ level: 'notice', text: plain(line) })
    this.outcome.lines.push({ level: 'notice', text: line })
  }

  warn(line: string): void {
    this.#into.push({ level: 'warning', text: plain(line) })
    this.outcome.lines.push({ level: 'warning', text: line })
  }

  async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    const outer = this.#into
    const group: LogLine = { level: 'group', title: plain(title), lines: [] }
    outer.push(group)
    this.#into = group.lines
    try {
      return await work()
    } finally {
      this.#into = outer
    }
  }

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

  set(outputs: Outputs): void {
    this.outcome.set(outputs)
  }

  deleted(id: number): void {
    this.outcome.deletedIds.push(id)
    this.set({ deleted_ids: this.outcome.deletedIds })
  }

  planned(action: Action): void {
    this.outcome.planned.push(action)
    this.note(`Dry run: would ${describeAction(action)}.`)
  }

  table(items: Item[]): void {
    this.outcome.items = items
  }
}

/** The reporter of a step on the runner: records like any other, and prints each line as it comes. */
export class ActionsReporter extends Recorder {
  override say(line: string): void {
    super.say(line)
    core.info(plain(line))
  }

  override notice(line: string): void {
    super.notice(line)
    core.notice(plain(line))
  }

  override warn(line: string): void {
    super.warn(line)
    core.warning(plain(line))
  }

  override async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    return core.group(plain(title), () => super.group(title, work))
  }
}

/** Longest list drawn as a table in the job summary; the `items` output has more. */
const SUMMARY_TABLE_ROWS = 50

/** Outputs and job summary, written from this one place whether the step succeeded or not. */
export async function writeReport(heading: string, outcome: Outcome, elapsedMs: number, failure: string | undefined): Promise<void> {
  for (const [name, value] of outcome.outputs) core.setOutput(name, value)
  const summary = core.summary.addHeading(escapeHtml(plain(`VPS.org ${heading}: ${failure ? 'failed' : 'done'}`)), 3)
  for (const line of outcome.lines) summary.addRaw(`${SUMMARY_PREFIX[line.level]}${escapeMarkdown(line.text)}\n\n`)
  if (failure) summary.addRaw(`**Error:** ${escapeMarkdown(failure)}\n\n`)
  const rows = [...outputRows(outcome), ['time taken', formatDuration(elapsedMs)]]
  summary.addTable([[{ data: 'output', header: true }, { data: 'value', header: true }], ...rows.map(cells)])
  if (outcome.items) addItemTable(outcome.items)
  // Outside a runner (a local run) there is no summary file: the log already said it all.
  if (!process.env.GITHUB_STEP_SUMMARY) return void summary.emptyBuffer()
  await summary.write().catch((error: unknown) => core.warning(`The job summary could not be written: ${String(error)}`))
}

const SUMMARY_PREFIX: Record<SummaryLevel, string> = { note: '', notice: '**Notice:** ', warning: '**Warning:** ' }

function outputRows(outcome: Outcome): string[][] {
  return [...outcome.outputs].filter(([name]) => name !== 'items').map(([name, value]) => [name, value])
}

function addItemTable(items: Item[]): void {
  const header = ['id', 'name or type', 'description', 'server', 'status', 'size (MB)', 'created'].map(data => ({ data, header: true }))
  const rows = items.slice(0, SUMMARY_TABLE_ROWS).map(item =>
    cells([String(item.id), labelOf(item), item.description ?? '', String(item.server.id), item.status, String(item.size_mb ?? ''), item.created_at])
  )
  core.summary.addTable([header, ...rows])
  if (items.length > SUMMARY_TABLE_ROWS) core.summary.addRaw(`…and ${items.length - SUMMARY_TABLE_ROWS} more, in the \`items\` output.\n`)
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
