// Shared by the end-to-end tests: run the committed bundle against a fresh emulator and read
// what happened, both in the step's result and in the requests the emulator received.
import { test as base, expect } from 'vitest'
import {
  DEFAULT_TOKEN,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest
} from '../emulator/server.ts'
import { RUN_CONTEXT, runStep, type StepOptions, type StepResult } from './bundle.ts'

export const TOKEN = DEFAULT_TOKEN
/** The emulator's two default servers. */
export { DB, WEB } from '../emulator/server.ts'
/** Short jobs and restores keep the suite fast; the waits still poll more than once. */
export const JOB_SECONDS = 0.2
export const POLL_INTERVAL = '0.1'
/** Generous: a step whose job would take 30 s must end long before that when timeout is 2 s. */
export const WELL_BEFORE_MS = 15_000

const API_PREFIX = '/api/v1'

/** `<name_prefix><owner-repo>-<run_id>-<attempt>-<6 hex>`, for the run context the harness sets. */
export function markerPattern(prefix = 'gha-'): string {
  const repository = (RUN_CONTEXT.GITHUB_REPOSITORY ?? '').replace('/', '-')
  return `${escapeRegExp(prefix)}${repository}-${RUN_CONTEXT.GITHUB_RUN_ID}-${RUN_CONTEXT.GITHUB_RUN_ATTEMPT}-[0-9a-f]{6}`
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ jobSeconds: JOB_SECONDS, restoreSeconds: JOB_SECONDS, ...options })
}

/**
 * Runs the bundle against the emulator with the right token and a short poll interval (any of
 * which `inputs` may override), and checks on every run that the token never leaks.
 */
export async function step(
  emulator: Emulator,
  inputs: Record<string, string>,
  options: StepOptions = {}
): Promise<StepResult> {
  const result = await runStep(
    { api_token: TOKEN, api_url: emulator.url, poll_interval: POLL_INTERVAL, ...inputs },
    options
  )
  expectNoLeak(result, inputs.api_token ?? TOKEN)
  return result
}

/** The token, and its base64 form, appear only in the `::add-mask::` lines that hide them. */
export function expectNoLeak(result: StepResult, token: string): void {
  const secrets = [token, Buffer.from(token).toString('base64')].filter(secret => secret.length >= 4)
  for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
    if (line.startsWith('::add-mask::')) continue
    for (const secret of secrets) expect(line, 'a log line shows the token').not.toContain(secret)
  }
}

/** `METHOD /path/?query` below the API prefix, e.g. `GET /snapshots/?server_id=12345`. */
export function describeRequest(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString()
  return `${request.method} ${request.path.slice(API_PREFIX.length)}${query ? `?${query}` : ''}`
}

export function calls(emulator: Emulator, from = 0): string[] {
  return emulator.requests.slice(from).map(describeRequest)
}

/** The requests that change something. */
export function writes(emulator: Emulator, from = 0): string[] {
  return emulator.requests
    .slice(from)
    .filter(request => request.method !== 'GET')
    .map(describeRequest)
}

/** The summary as text, Markdown escapes removed (`in\_progress` → `in_progress`). */
export function summaryText(result: StepResult): string {
  return result.summary.replace(/\\([\\`*_[\]|])/g, '$1')
}

/** One server's group of the log: its title (`Server 12345: snapshot 801 completed, 0.4 s`) and its lines. */
export interface LogGroup {
  title: string
  lines: string[]
}

/** The log's groups with their lines, and the lines outside every group that are not workflow commands. */
export function readLog(stdout: string): { groups: LogGroup[]; outside: string[] } {
  const groups: LogGroup[] = []
  const outside: string[] = []
  let current: LogGroup | undefined
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::group::')) groups.push((current = { title: line.slice('::group::'.length), lines: [] }))
    else if (line === '::endgroup::') current = undefined
    else if (current) current.lines.push(line)
    else if (!line.startsWith('::')) outside.push(line)
  }
  return { groups, outside }
}

/**
 * The summary's servers table, a row per server keyed by the table's headers (`server`, `item`,
 * `status`, `size (MB)`, `time`, `error`, …); [] when the summary has none. An empty cell is ''.
 */
export function serverRows(result: StepResult): Array<Record<string, string>> {
  return summaryTable(result, 'server')
}

/** The rows of the summary's first table whose first column is `firstHeader`, each a record of header to cell. */
export function summaryTable(result: StepResult, firstHeader: string): Array<Record<string, string>> {
  const table = new RegExp(`<table><tr><th>${firstHeader}</th>.*?</table>`, 's').exec(result.summary)?.[0]
  if (table === undefined) return []
  const [header = '', ...rows] = table
    .replace(/<\/?table>/g, '')
    .split('<tr>')
    .filter(row => row !== '')
  const names = [...header.matchAll(/<th>(.*?)<\/th>/g)].map(match => match[1] ?? '')
  return rows.map(row => {
    const cells = row
      .replace(/<\/tr>$/, '')
      .split('<td>')
      .slice(1)
      .map(cell => cell.replace(/<\/td>$/, ''))
    return Object.fromEntries(names.map((name, index) => [name, cells[index] ?? '']))
  })
}

/** Lines of the log that are not debug lines. */
function visibleLines(result: StepResult): string[] {
  return `${result.stdout}\n${result.stderr}`.split('\n').filter(line => !line.startsWith('::debug::'))
}

export function expectSuccess(result: StepResult): void {
  expect(result.errors, `the step failed:\n${result.stdout}${result.stderr}`).toEqual([])
  expect(result.exitCode).toBe(0)
}

/**
 * An expected failure: exit code 1, exactly one `::error::` line holding every fragment, no
 * stack trace outside debug lines, and a summary that says it failed.
 */
export function expectFailure(result: StepResult, ...fragments: Array<string | RegExp>): string {
  // Each check shows the step's log when it fails, so that a failure on CI explains itself.
  const log = `the step's log:\n${result.stdout}${result.stderr}`
  expect(result.exitCode, log).toBe(1)
  expect(result.errors, log).toHaveLength(1)
  const error = result.errors[0] ?? ''
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(error, log).toContain(fragment)
    else expect(error, log).toMatch(fragment)
  }
  expect(visibleLines(result).filter(line => /^\s+at /.test(line))).toEqual([])
  expect(result.summary).toContain(': failed</h3>')
  return error
}

/** A time `minutes` ago, for seeding items older than anything the action creates. */
export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString()
}

export function notices(result: StepResult): string[] {
  return result.stdout.split('\n').filter(line => line.startsWith('::notice'))
}

export function warnings(result: StepResult): string[] {
  return result.stdout.split('\n').filter(line => line.startsWith('::warning'))
}

/** `test` with an `emulator`: a fresh one for each test, closed after it. */
export const test = base.extend<{ emulator: Emulator }>({
  // Vitest reads a fixture's dependencies from the pattern of its first parameter: none here.
  // eslint-disable-next-line no-empty-pattern
  emulator: async ({}, use) => {
    const emulator = await start()
    await use(emulator)
    await emulator.close()
  }
})

/** The restore requests, of either kind, since `from`. */
export function restores(emulator: Emulator, from = 0): string[] {
  return writes(emulator, from).filter(write => write.endsWith('/restore/'))
}
