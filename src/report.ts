import * as core from '@actions/core'
import { COMPLETED, IN_PROGRESS, type Backup, type Item, type Snapshot } from './api/types.ts'
import { formatDuration, plain } from './format.ts'
import type { OutputName, Outputs, RetentionRow, ServerFacts, ServerResult, StatusOf } from './outputs.ts'
import { describeAction, type Action } from './plan/actions.ts'

/**
 * What an operation says, handed to it rather than imported, so that it runs in a test or beside
 * another one without writing to the runner's log itself.
 */
export interface Reporter {
  /** What was recorded so far. */
  readonly outcome: Outcome
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
  /** The id of the snapshot or backup the work was given, before it is read. */
  asked(kind: 'snapshot' | 'backup', id: number): void
  /** The snapshot or backup the work made, waits for or restores from, as it is now. */
  item(item: Snapshot | Backup): void
  /** The server's own status, as a restore left it. */
  serverStatus(status: string): void
  /** The work may delete items: `deleted_ids` is set, empty until it does. */
  mayDelete(): void
  /** An item deleted. */
  deleted(id: number): void
  /** How many items a list found. */
  counted(count: number): void
  /** What retention keeps of the server's own items, and why: the job summary's table of them. */
  retention(rows: RetentionRow[], newItem?: string): void
  set(outputs: Outputs): void
  /** In a dry run: one thing the real run would do. */
  planned(action: Action): void
  /** Items to draw as a table in the job summary. */
  table(items: Item[]): void
  /** A finished part of the work (one server of a fleet), printed as one block of the log. */
  block(title: string, log: LogLine[]): void
  /** A line of the job summary alone: one that the log has said already. */
  summarize(level: SummaryLevel, text: string): void
  /** The step's servers, for the job summary's table (and a fleet's timeline). */
  servers(results: ServerResult[], statusOf: StatusOf): void
  /** What the rollback is armed with, or did: a line of the log and the summary's Rollback section. */
  rollback(line: string): void
}

type SummaryLevel = 'note' | 'notice' | 'warning'

/**
 * What a step found out and did, recorded as it goes, so that what was known before a failure still reaches the outputs
 * and the summary.
 */
export class Outcome {
  readonly outputs = new Map<OutputName, string>()
  readonly lines: Array<{ level: SummaryLevel; text: string }> = []
  readonly planned: Action[] = []
  /** Typed, for the server this reporter speaks for: what `outputs.ts` renders. */
  readonly facts: ServerFacts = {}
  items: Item[] | undefined
  servers: { results: ServerResult[]; statusOf: StatusOf } | undefined
  /** What the rollback is armed with, or what it restored: its own section of the summary. */
  rollback: string | undefined

  set(outputs: Outputs): void {
    for (const [name, value] of Object.entries(outputs) as Array<[OutputName, unknown]>) {
      if (value !== undefined) this.outputs.set(name, typeof value === 'string' ? value : JSON.stringify(value))
    }
  }
}

type LogLine =
  { level: 'info' | 'notice' | 'warning'; text: string } | { level: 'group'; title: string; lines: LogLine[] }

/**
 * Records everything and prints nothing: what a test reads, and what a fleet's server speaks into until its block is
 * printed.
 */
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

  asked(kind: 'snapshot' | 'backup', id: number): void {
    this.outcome.facts.asked = { kind, id }
  }

  item(item: Snapshot | Backup): void {
    this.outcome.facts.item = item
  }

  serverStatus(status: string): void {
    this.outcome.facts.serverStatus = status
  }

  mayDelete(): void {
    this.outcome.facts.deletedIds ??= []
  }

  deleted(id: number): void {
    this.mayDelete()
    this.outcome.facts.deletedIds?.push(id)
  }

  counted(count: number): void {
    this.outcome.facts.count = count
  }

  retention(rows: RetentionRow[], newItem?: string): void {
    this.outcome.facts.retention = rows
    this.outcome.facts.retentionOfNew = newItem
  }

  set(outputs: Outputs): void {
    this.outcome.set(outputs)
  }

  planned(action: Action): void {
    this.outcome.planned.push(action)
    this.note(`Dry run: would ${describeAction(action)}.`)
  }

  table(items: Item[]): void {
    this.outcome.items = items
  }

  block(title: string, log: LogLine[]): void {
    this.#into.push({ level: 'group', title: plain(title), lines: log })
  }

  summarize(level: SummaryLevel, text: string): void {
    this.outcome.lines.push({ level, text })
  }

  servers(results: ServerResult[], statusOf: StatusOf): void {
    this.outcome.servers = { results, statusOf }
  }

  rollback(line: string): void {
    this.say(line)
    this.outcome.rollback = line
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

  override block(title: string, log: LogLine[]): void {
    super.block(title, log)
    // The log has one level of groups: a group inside the block is one line, then its lines.
    core.startGroup(plain(title))
    const print = (lines: LogLine[]): void => {
      for (const line of lines) {
        if (line.level === 'group') {
          core.info(`▸ ${line.title}`)
          print(line.lines)
        } else if (line.level === 'info') core.info(line.text)
        else if (line.level === 'notice') core.notice(line.text)
        else core.warning(line.text)
      }
    }
    print(log)
    core.endGroup()
  }
}

/** Longest list drawn as a table in the job summary; the `items` output has more. */
const SUMMARY_TABLE_ROWS = 50

interface ReportOptions {
  /** A dry run: the summary says what it would do, and that nothing changed. */
  dryRun?: boolean
  /** The post step: its outputs reach no later step, so none is written. */
  post?: boolean
}

/**
 * Outputs and job summary, written from this one place whether the step succeeded or not. The
 * summary is written for a person: one table for the operation (a row per server where it names
 * servers, else its outputs), the lines worth reading, the rollback, no JSON.
 */
export async function writeReport(
  heading: string,
  outcome: Outcome,
  elapsedMs: number,
  failure: string | undefined,
  options: ReportOptions = {}
): Promise<void> {
  if (!options.post) for (const [name, value] of outcome.outputs) core.setOutput(name, value)
  const state = failure ? 'failed' : options.dryRun ? 'dry run, nothing changed' : 'done'
  const summary = core.summary.addHeading(escapeHtml(plain(`VPS.org ${heading}: ${state}`)), 3)
  // A blank line after the heading's HTML, or GitHub leaves the Markdown below it literal.
  summary.addRaw('\n')
  for (const line of outcome.lines) summary.addRaw(`${SUMMARY_PREFIX[line.level]}${escapeMarkdown(line.text)}\n\n`)
  if (failure) summary.addRaw(`**Error:** ${escapeMarkdown(failure)}\n\n`)
  if (outcome.servers) addServers(outcome.servers, options.dryRun ?? false)
  // A list's table of items says what its outputs would (count, items).
  else if (!outcome.items) summary.addRaw(table(['output', 'value'], outputRows(outcome)))
  if (outcome.items) addItemTable(outcome.items)
  if (outcome.rollback) summary.addRaw(`#### Rollback\n\n${escapeMarkdown(outcome.rollback)}\n\n`)
  summary.addRaw(`Took ${formatDuration(elapsedMs)}.\n`)
  // Outside a runner (a local run) there is no summary file: the log already said it all.
  if (!process.env.GITHUB_STEP_SUMMARY) return void summary.emptyBuffer()
  await summary
    .write()
    .catch((error: unknown) => core.warning(`The job summary could not be written: ${String(error)}`))
}

const SUMMARY_PREFIX: Record<SummaryLevel, string> = { note: '', notice: '**Notice:** ', warning: '**Warning:** ' }

/** Outputs a person reads in the summary; the JSON ones are shown by the tables instead. */
const OUTPUTS_SHOWN_AS_TABLES = new Set<OutputName>(['items', 'results', 'snapshot_ids', 'backup_ids'])

function outputRows(outcome: Outcome): string[][] {
  return [...outcome.outputs]
    .filter(([name]) => !OUTPUTS_SHOWN_AS_TABLES.has(name))
    .map(([name, value]) => [name, value])
}

function addItemTable(items: Item[]): void {
  const header = ['id', 'name or type', 'description', 'server', 'status', 'size (MB)', 'created']
  const rows = items
    .slice(0, SUMMARY_TABLE_ROWS)
    .map(item => [
      String(item.id),
      labelOf(item),
      item.description ?? '',
      String(item.server.id),
      item.status,
      String(item.size_mb ?? ''),
      item.created_at
    ])
  core.summary.addRaw(table(header, rows))
  if (items.length > SUMMARY_TABLE_ROWS)
    core.summary.addRaw(`…and ${items.length - SUMMARY_TABLE_ROWS} more, in the \`items\` output.\n`)
}

/**
 * The servers at a glance: a row per server, in the order `server_id` gave; for a fleet, then the
 * timeline, one bar per server from its first request to its end.
 */
function addServers({ results, statusOf }: { results: ServerResult[]; statusOf: StatusOf }, dryRun: boolean): void {
  const restore = statusOf === 'server'
  const deleting = results.some(
    result => result.deletedIds !== undefined || result.planned?.some(action => action.do === 'delete')
  )
  // A restore's status is the server's, and its item's size says nothing about it.
  const header = [
    'server',
    'item',
    restore ? 'server status' : 'status',
    ...(restore ? [] : ['size (MB)']),
    ...(deleting ? ['deleted'] : []),
    'time',
    'error'
  ]
  const rows = results.map(result => [
    String(result.serverId),
    dryRun
      ? wouldMake(result)
      : `${itemOf(result) ?? ''}${result.item && 'name' in result.item ? ` "${result.item.name}"` : ''}`,
    (restore ? result.serverStatus : result.item?.status) ?? '',
    ...(restore ? [] : [String(result.item?.size_mb ?? '')]),
    ...(deleting ? [dryRun ? wouldDelete(result) : (result.deletedIds ?? []).join(', ')] : []),
    formatDuration(result.endedAt - result.startedAt),
    result.error ?? result.heldBack ?? ''
  ])
  core.summary.addRaw(table(header, rows))
  // A dry run did nothing to draw.
  if (results.length > 1 && !dryRun) core.summary.addRaw(`${timeline(results)}\n\n`)
  addRetention(results, dryRun)
}

/**
 * Why each of the action's own items is still there, or that it went: a table per server where
 * retention rules applied, newest first, the item a create made on top. A fleet's tables fold,
 * one per server, so that the summary stays short.
 */
function addRetention(results: ServerResult[], dryRun: boolean): void {
  const judged = results.filter(result => result.retention !== undefined)
  if (judged.length === 0) return
  core.summary.addRaw('#### Retention\n\n')
  for (const result of judged) {
    const rows = retentionRows(result, dryRun)
    const title = `Server ${result.serverId}: ${fateCounts(rows.map(row => row[4] ?? ''))}`
    const rendered = table(['id', 'name or description', 'created', 'status', 'retention'], rows)
    core.summary.addRaw(
      judged.length === 1
        ? `${escapeMarkdown(title)}\n\n${rendered}`
        : `<details><summary>${escapeHtml(plain(title))}</summary>\n\n${rendered}</details>\n\n`
    )
  }
}

/** `3 kept, 2 deleted, 1 not deleted`: how many of each fate, as the rows say, in that order. */
function fateCounts(fates: string[]): string {
  const counts = new Map<string, number>()
  for (const fate of fates) {
    const word = fate.startsWith('kept')
      ? 'kept'
      : fate.startsWith('not deleted')
        ? 'not deleted'
        : fate.startsWith('failed')
          ? 'failed'
          : fate
    counts.set(word, (counts.get(word) ?? 0) + 1)
  }
  return [...counts].map(([word, count]) => `${count} ${word === 'would delete' ? 'would go' : word}`).join(', ')
}

function retentionRows(result: ServerResult, dryRun: boolean): string[][] {
  const deleted = new Set(result.deletedIds ?? [])
  const fate = (row: RetentionRow) =>
    row.kept ??
    (dryRun ? 'would delete' : deleted.has(row.item.id) ? 'deleted' : `not deleted: ${whyNotDeleted(result)}`)
  return [
    ...madeRow(result),
    ...(result.retention ?? []).map(row => [
      String(row.item.id),
      nameOf(row.item),
      row.item.created_at,
      row.item.status,
      fate(row)
    ])
  ]
}

/** Why an item the rules let go is still there: the step never reached its delete, or the delete failed. */
function whyNotDeleted(result: ServerResult): string {
  if (result.error !== undefined) return 'the step failed before its delete'
  if (result.item?.status === IN_PROGRESS) return 'the new item is not completed yet (wait is false); prune later'
  return 'its delete failed (see the warning); the next rotation tries again'
}

/** A create's new item, on top: the one it made, or in a dry run the one it would make, with what keeps it. */
function madeRow(result: ServerResult): string[][] {
  const also = result.retentionOfNew === undefined ? '' : `, ${result.retentionOfNew.replace(/^kept: /, '')}`
  const made = `kept: the item just made${also}`
  const create = result.planned?.find(action => action.do === 'create')
  if (create?.do === 'create') return [['(new)', create.name ?? create.description, '', 'would create', made]]
  const { item } = result
  if (item === undefined || result.retention?.some(row => row.item.id === item.id)) return []
  // A create that failed made an item no rule keeps: the next rotation deletes it.
  const fate = item.status === COMPLETED || item.status === IN_PROGRESS ? made : 'failed: no rule keeps it'
  return [[String(item.id), nameOf(item), item.created_at, item.status, fate]]
}

/** A snapshot's name, or a backup's description: what a person recognises it by. */
function nameOf(item: Snapshot | Backup): string {
  return 'name' in item ? item.name : (item.description ?? '')
}

/** A dry run's item cell: what the server's plan would make or restore from. */
function wouldMake(result: ServerResult): string {
  const action = result.planned?.find(planned => planned.do !== 'delete')
  if (action?.do === 'create')
    return `would create ${action.kind === 'snapshot' ? `snapshot "${action.name}"` : 'a manual backup'}`
  if (action?.do === 'restore') return `would restore from ${action.label}`
  return ''
}

function wouldDelete(result: ServerResult): string {
  const ids = (result.planned ?? []).flatMap(action => (action.do === 'delete' ? [action.id] : []))
  return ids.length === 0 ? '' : `would delete ${ids.join(', ')}`
}

/** `snapshot 807` or `backup 9`: the item a server's work made or used, if any; ids only. */
export function itemOf(result: ServerFacts): string | undefined {
  if (result.item === undefined) return undefined
  return `${'name' in result.item ? 'snapshot' : 'backup'} ${result.item.id}`
}

/**
 * A Mermaid gantt chart, which GitHub draws in a job summary: one bar per server, at the clock
 * times it ran (the reader's browser shows them in the reader's time zone), a failed server
 * marked `crit`. Only the action's own words and numbers go into it, never text from the API,
 * so nothing the API says can break the chart.
 */
function timeline(results: ServerResult[]): string {
  const bars = results.map(result => {
    const item = itemOf(result)
    const from = Math.round(result.startedAt)
    const to = Math.max(from + 1, Math.round(result.endedAt))
    const failed = result.error !== undefined
    // A server held back did not finish anything: its bar is not drawn as done.
    const [said, tag] = failed
      ? [' failed', 'crit']
      : result.heldBack !== undefined
        ? [' held back', 'active']
        : ['', 'done']
    return `    server ${result.serverId}${item === undefined ? '' : ` (${item})`}${said} :${tag}, s${result.serverId}, ${from}, ${to}`
  })
  return [
    '```mermaid',
    'gantt',
    '    title The fleet, server by server',
    '    dateFormat x',
    '    axisFormat %H:%M:%S',
    '    section Servers',
    ...bars,
    '```'
  ].join('\n')
}

function labelOf(item: Item): string {
  return 'name' in item ? String(item.name) : String((item as Backup).backup_type)
}

/**
 * An HTML table, every cell closed (an empty one included), escaped, and followed by a blank
 * line, so that the Markdown after it is read as Markdown.
 */
function table(header: string[], rows: string[][]): string {
  const row = (values: string[], tag: 'th' | 'td') =>
    `<tr>${values.map(value => `<${tag}>${escapeHtml(plain(value))}</${tag}>`).join('')}</tr>`
  return `<table>${row(header, 'th')}${rows.map(values => row(values, 'td')).join('')}</table>\n\n`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function escapeMarkdown(text: string): string {
  return escapeHtml(plain(text)).replace(/([\\`*_[\]|])/g, '\\$1')
}
