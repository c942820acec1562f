import * as core from '@actions/core'
import type { BackupType } from './api/types.ts'
import { InputError } from './errors.ts'

/** Most servers one step works on: the fleet's own limit. */
const MAX_SERVERS = 100
/** `max_parallel`'s range: one at a time, up to the whole fleet at once. */
const MAX_PARALLEL_RANGE = { min: 1, max: MAX_SERVERS } as const
/** Fewest seconds between two status checks: a floor that keeps a typo from hammering the API. */
const MIN_POLL_INTERVAL_SECONDS = 0.1
/** The longest a GitHub-hosted job may run (6 hours): no step of one can wait longer. */
const MAX_TIMEOUT_SECONDS = 6 * 60 * 60
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
const NAME_RULE = 'may hold only letters, digits, "-" and "_"'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const DEFAULT_API_URL = 'https://admin.vps.org/api/v1'

/** A numeric id, or the newest completed item of the server. */
export type ItemReference = { id: number } | { latest: true }
/** What restore-snapshot may name: an id, `latest`, or a snapshot name. */
export type SnapshotReference = ItemReference | { name: string }

/**
 * One input of action.yml: its name, its default there (a test keeps the two in step), and how
 * its text becomes a value. An operation declares the inputs it reads as a record of these.
 */
export interface Input<T> {
  readonly name: string
  readonly default: string | undefined
  /** The value, from the input's text (undefined when it is empty and has no default). */
  read(raw: string | undefined, operation: string): T
}

export type Inputs = Readonly<Record<string, Input<unknown>>>
/** What a record of inputs reads as: each key its input's value. */
export type InputValues<I extends Inputs> = { [K in keyof I]: I[K] extends Input<infer T> ? T : never }

/** An input that may be left out. */
export function optionalInput<T>(name: string, parse: (raw: string) => T): Input<T | undefined> {
  return { name, default: undefined, read: raw => (raw === undefined ? undefined : parse(raw)) }
}

export function requiredInput<T>(name: string, parse: (raw: string) => T): Input<T> {
  return {
    name,
    default: undefined,
    read: (raw, operation) => {
      if (raw === undefined)
        throw new InputError(name, operation ? `is required by operation "${operation}"` : 'is required')
      return parse(raw)
    }
  }
}

/** An input with its default in action.yml, which the runner passes when the workflow leaves it out. */
function inputWithDefault<T>(name: string, fallback: string, parse: (raw: string) => T): Input<T> {
  return { name, default: fallback, read: raw => parse(raw ?? fallback) }
}

/** `true` or `false`, with its default in action.yml. */
export function booleanInput(name: string, fallback: 'true' | 'false'): Input<boolean> {
  return inputWithDefault(name, fallback, raw => parseBoolean(name, raw))
}

/** The inputs' text the way the runner passes it (`core.getInput` trims it); empty is left out. */
function rawInput(name: string): string | undefined {
  return core.getInput(name) || undefined
}

/** Reads and checks each declared input, before any request is sent. */
export function readInputs<I extends Inputs>(operation: string, inputs: I): InputValues<I> {
  const values = Object.entries(inputs).map(([key, input]) => [key, input.read(rawInput(input.name), operation)])
  return Object.fromEntries(values) as InputValues<I>
}

/** Inputs set to something other than their default that the operation does not read: a typo, most likely. */
export function ignoredInputs(every: Iterable<Input<unknown>>, read: Iterable<Input<unknown>>): string[] {
  const used = new Set([...read].map(input => input.name))
  const ignored = [...every].filter(
    input => !used.has(input.name) && ![undefined, input.default].includes(rawInput(input.name))
  )
  return [...new Set(ignored.map(input => input.name))]
}

/** What every operation shares. */
export interface CommonSettings {
  apiUrl: URL
  apiToken: string
  timeoutMs: number
  pollIntervalMs: number
  dryRun: boolean
}

/** Read by every operation, besides `operation` itself and `api_token`, which are read first. */
export const COMMON_INPUTS = {
  apiUrl: inputWithDefault('api_url', DEFAULT_API_URL, parseApiUrl),
  timeoutMs: inputWithDefault('timeout', '30m', parseTimeout),
  pollIntervalMs: inputWithDefault('poll_interval', '2', parsePollInterval),
  dryRun: booleanInput('dry_run', 'false')
}
export const OPERATION = requiredInput('operation', raw => raw)
export const API_TOKEN = requiredInput('api_token', raw => {
  if (/[\r\n]/.test(raw)) throw new InputError('api_token', 'must be a single line (it contains a line break)')
  return raw
})

// The inputs several operations read; one that a single operation reads is declared in its file.
export const SERVER_IDS = requiredInput('server_id', parseServerIds)
/** `server_id` where it may be left out: a list of every server, a restore by snapshot id. */
export const SOME_SERVER_IDS = optionalInput('server_id', parseServerIds)
export const MAX_PARALLEL = inputWithDefault('max_parallel', '4', parseMaxParallel)
export const WAIT = booleanInput('wait', 'true')
export const ROLLBACK_ON_FAILURE = booleanInput('rollback_on_failure', 'false')
export const NAME_PREFIX = inputWithDefault('name_prefix', 'gha-', raw => parseName('name_prefix', raw))
/** A snapshot's name: the one a create gives it, or the one a restore looks for. */
export const NAME = optionalInput('name', raw => parseName('name', raw))
const KEEP = inputWithDefault('keep', '0', raw => parseCount('keep', raw))
/**
 * The retention rules a create and a prune read (a union: an item any rule keeps stays). Their
 * meaning, and what no rule at all means, is the planner's: src/plan/retention.ts.
 */
export const RETENTION_INPUTS = {
  keep: KEEP,
  keepWithinMs: optionalInput('keep_within', parseRetentionPeriod),
  keepDaily: inputWithDefault('keep_daily', '0', raw => parseCount('keep_daily', raw)),
  keepWeekly: inputWithDefault('keep_weekly', '0', raw => parseCount('keep_weekly', raw)),
  keepMonthly: inputWithDefault('keep_monthly', '0', raw => parseCount('keep_monthly', raw))
}

/** The item's id as the input of that name, `snapshot_id` or `backup_id`. */
export const itemId = (name: 'snapshot_id' | 'backup_id') => requiredInput(name, raw => parseId(name, raw))

/** The token, masked before anything else can print it, even in an error about it. */
export function readToken(): string {
  const token = rawInput(API_TOKEN.name)
  if (token) {
    core.setSecret(token)
    // The Authorization header is never logged, but its encoded forms are masked all the same.
    core.setSecret(Buffer.from(token).toString('base64'))
  }
  return API_TOKEN.read(token, '')
}

export function readCommonSettings(apiToken: string): CommonSettings {
  return { apiToken, ...readInputs('', COMMON_INPUTS) }
}

function parseId(name: string, raw: string): number {
  const id = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) {
    throw new InputError(name, `must be a positive integer; got "${raw}"`)
  }
  return id
}

/**
 * One server or a fleet: ids separated by commas, spaces or line breaks, each a positive integer,
 * none twice, at most MAX_SERVERS.
 */
function parseServerIds(raw: string): number[] {
  const parts = raw.split(/[\s,]+/).filter(part => part !== '')
  if (parts.length === 0) throw new InputError('server_id', 'must name at least one server')
  const ids = parts.map(part => parseId('server_id', part))
  const twice = ids.filter((id, index) => ids.indexOf(id) !== index)
  if (twice.length > 0)
    throw new InputError('server_id', `names server ${twice[0]} more than once; give each server once`)
  if (ids.length > MAX_SERVERS)
    throw new InputError('server_id', `names ${ids.length} servers; one step works on at most ${MAX_SERVERS}`)
  return ids
}

function parseMaxParallel(raw: string): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < MAX_PARALLEL_RANGE.min || value > MAX_PARALLEL_RANGE.max) {
    throw new InputError(
      'max_parallel',
      `must be a whole number from ${MAX_PARALLEL_RANGE.min} to ${MAX_PARALLEL_RANGE.max}; got "${raw}"`
    )
  }
  return value
}

/**
 * Which item of each server: one id (one server only: an id belongs to one server), `latest`,
 * or the JSON object a create wrote to `snapshot_ids`/`backup_ids` (server id → id).
 */
export type FleetReference = ItemReference | { byServer: Map<number, number> }

export function parseFleetReference(name: 'snapshot_id' | 'backup_id', raw: string): FleetReference {
  if (!raw.startsWith('{')) return parseReference(name, raw)
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new InputError(
      name,
      `is not a readable JSON object of server id to id, as a create writes to its ${name}s output; got "${raw}"`
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError(name, `must be a JSON object of server id to id; got "${raw}"`)
  const byServer = new Map<number, number>()
  const positive = (text: string) => /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) > 0
  for (const [server, id] of Object.entries(parsed)) {
    const text = typeof id === 'number' || typeof id === 'string' ? String(id) : JSON.stringify(id)
    if (!positive(server))
      throw new InputError(name, `has the key "${server}", which is not a server id (a positive integer)`)
    if (!positive(text))
      throw new InputError(
        name,
        `maps server ${server} to ${JSON.stringify(id)}, which is not an id (a positive integer)`
      )
    byServer.set(Number(server), Number(text))
  }
  if (byServer.size === 0) throw new InputError(name, 'names no server: the create it came from made nothing')
  return { byServer }
}

function parseReference(name: string, raw: string): ItemReference {
  if (raw === 'latest') return { latest: true }
  if (!/^\d+$/.test(raw)) throw new InputError(name, `must be a positive integer or "latest"; got "${raw}"`)
  return { id: parseId(name, raw) }
}

function parseName(name: string, raw: string): string {
  if (!NAME_PATTERN.test(raw)) throw new InputError(name, `${NAME_RULE}; got "${raw}"`)
  return raw
}

/** The one boolean parser: the same spellings as core.getBooleanInput (YAML 1.2 core schema), with a clearer error. */
function parseBoolean(name: string, raw: string): boolean {
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  throw new InputError(name, `must be true or false; got "${raw}"`)
}

function parseCount(name: string, raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InputError(name, `must be a whole number, 0 or more; got "${raw}"`)
  }
  return Number(raw)
}

export function parseBackupType(raw: string): BackupType {
  if (raw === 'manual' || raw === 'automatic') return raw
  throw new InputError('backup_type', `must be "manual" or "automatic"; got "${raw}"`)
}

const DURATION_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 }
const DURATION_SYNTAX = 'seconds ("90", "0.5") or a duration ("90s", "15m", "1h", "1h30m")'

/**
 * Seconds (`90`, `0.5`) or a duration (`90s`, `15m`, `1h`, `1h30m`), in milliseconds, at most the
 * 6 hours a GitHub-hosted job can run; the syntax of `timeout` and `poll_interval`.
 */
function parseDuration(name: string, raw: string): number {
  const text = /^\d+(?:\.\d+)?$/.test(raw) ? `${raw}s` : raw
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smh])/g)]
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== text)
    throw new InputError(name, `must be ${DURATION_SYNTAX}; got "${raw}"`)
  const ms = Math.round(
    parts.reduce((total, [, amount, unit]) => total + Number(amount) * (DURATION_UNIT_SECONDS[unit ?? 's'] ?? 0), 0) *
      1000
  )
  if (ms > MAX_TIMEOUT_SECONDS * 1000)
    throw new InputError(name, `must be at most 6h, the longest a GitHub-hosted job can run; got "${raw}"`)
  return ms
}

function parseTimeout(raw: string): number {
  const ms = parseDuration('timeout', raw)
  if (ms <= 0) throw new InputError('timeout', `must be more than 0 seconds; got "${raw}"`)
  return ms
}

function parsePollInterval(raw: string): number {
  const ms = parseDuration('poll_interval', raw)
  if (ms < MIN_POLL_INTERVAL_SECONDS * 1000)
    throw new InputError('poll_interval', `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds; got "${raw}"`)
  return ms
}

const PERIOD_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/**
 * How far back `keep_within` reaches, in milliseconds: whole amounts with a unit, `s`, `m`, `h`,
 * `d` or `w` (`36h`, `7d`, `2w`, `1w3d`), at least one second. A bare number is refused: hours or
 * days, a reader could not tell.
 */
function parseRetentionPeriod(raw: string): number {
  const parts = [...raw.matchAll(/(\d+)([smhdw])/g)]
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== raw)
    throw new InputError(
      'keep_within',
      `must be a period with a unit: s, m, h, d or w ("36h", "7d", "2w", "1w3d"); got "${raw}"`
    )
  const seconds = parts.reduce(
    (total, [, amount, unit]) => total + Number(amount) * (PERIOD_UNIT_SECONDS[unit ?? 's'] ?? 0),
    0
  )
  if (seconds < 1) throw new InputError('keep_within', `must be at least 1s; got "${raw}"`)
  return seconds * 1000
}

/** `https://` only, but for a loopback host; no credentials in the URL, where logs could show them. */
function parseApiUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError('api_url', `must be an absolute URL such as ${DEFAULT_API_URL}; got "${raw}"`)
  }
  if (url.username || url.password)
    throw new InputError('api_url', 'must not contain a user name or password; pass the token in "api_token"')
  if (url.search || url.hash) throw new InputError('api_url', `must not have a query or fragment; got "${raw}"`)
  const loopback = LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError(
      'api_url',
      `must start with https:// (http:// is allowed only for 127.0.0.1, localhost or [::1]); got "${url.origin}"`
    )
  }
  return url
}
