import * as core from '@actions/core'
import type { BackupType } from './api/types.ts'
import { InputError } from './errors.ts'

/** Every input of `action.yml` with its default there; a test keeps the two in step. */
export const INPUT_DEFAULTS = {
  operation: undefined,
  api_token: undefined,
  api_url: 'https://admin.vps.org/api/v1',
  server_id: undefined,
  name: undefined,
  name_prefix: 'gha-',
  description: undefined,
  snapshot_id: undefined,
  backup_id: undefined,
  backup_type: undefined,
  wait: 'true',
  timeout: '30m',
  poll_interval: '2',
  keep: '0',
  rollback_on_failure: 'false',
  max_parallel: '4',
  dry_run: 'false'
} as const satisfies Record<string, string | undefined>

export type InputName = keyof typeof INPUT_DEFAULTS

/** Read by every operation. */
export const COMMON_INPUTS: readonly InputName[] = ['operation', 'api_token', 'api_url', 'timeout', 'poll_interval', 'dry_run']

/** Fewest seconds between two status checks: a floor that keeps a typo from hammering the API. */
export const MIN_POLL_INTERVAL_SECONDS = 0.1
/** The longest a GitHub-hosted job may run (6 hours): no step of one can wait longer. */
export const MAX_TIMEOUT_SECONDS = 6 * 60 * 60
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
const NAME_RULE = 'may hold only letters, digits, "-" and "_"'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Most servers one step works on: the fleet's own limit. */
export const MAX_SERVERS = 100
/** `max_parallel`'s range: one at a time, up to the whole fleet at once. */
export const MAX_PARALLEL_RANGE = { min: 1, max: MAX_SERVERS } as const

/** A numeric id, or the newest completed item of the server. */
export type ItemReference = { id: number } | { latest: true }
/** What restore-snapshot may name: an id, `latest`, or a snapshot name. */
export type SnapshotReference = ItemReference | { name: string }

/** What every operation shares. */
export interface CommonSettings {
  apiUrl: URL
  apiToken: string
  timeoutMs: number
  pollIntervalMs: number
  dryRun: boolean
}

/**
 * Reads inputs the way the runner passes them (`core.getInput` trims them), only those that the
 * operation declares it reads, and remembers which ones it did.
 */
export class InputReader {
  readonly #allowed: ReadonlySet<InputName>
  readonly #operation: string

  constructor(operation: string, allowed: Iterable<InputName>) {
    this.#operation = operation
    this.#allowed = new Set([...COMMON_INPUTS, ...allowed])
  }

  optional(name: InputName): string | undefined {
    // A programming error, caught by the tests: the registry's list of inputs is what the docs and the unused-input warning use.
    if (!this.#allowed.has(name)) throw new Error(`operation "${this.#operation}" reads input "${name}" without declaring it`)
    return core.getInput(name) || undefined
  }

  required(name: InputName): string {
    const value = this.optional(name)
    if (value === undefined) throw new InputError(name, this.#operation ? `is required by operation "${this.#operation}"` : 'is required')
    return value
  }

  /** The input, or its default in action.yml. */
  withDefault(name: keyof { [K in InputName as (typeof INPUT_DEFAULTS)[K] extends string ? K : never]: true }): string {
    return this.optional(name) ?? INPUT_DEFAULTS[name]
  }

  /** Inputs set to something other than their default that the operation does not read. */
  ignored(): InputName[] {
    return (Object.keys(INPUT_DEFAULTS) as InputName[]).filter(name => {
      const value = core.getInput(name)
      return !this.#allowed.has(name) && value !== '' && value !== INPUT_DEFAULTS[name]
    })
  }
}

/** The token, masked before anything else can print it, even in an error about it. */
export function readToken(): string {
  const token = core.getInput('api_token')
  if (token) {
    core.setSecret(token)
    // The Authorization header is never logged, but its encoded forms are masked all the same.
    core.setSecret(Buffer.from(token).toString('base64'))
  }
  if (!token) throw new InputError('api_token', 'is required')
  if (/[\r\n]/.test(token)) throw new InputError('api_token', 'must be a single line (it contains a line break)')
  return token
}

export function readCommonSettings(read: InputReader, apiToken: string): CommonSettings {
  return {
    apiToken,
    apiUrl: parseApiUrl(read.withDefault('api_url')),
    timeoutMs: parseTimeout(read.withDefault('timeout')),
    pollIntervalMs: parsePollInterval(read.withDefault('poll_interval')),
    dryRun: parseBoolean('dry_run', read.withDefault('dry_run'))
  }
}

export function parseId(name: string, raw: string): number {
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
export function parseServerIds(raw: string): number[] {
  const parts = raw.split(/[\s,]+/).filter(part => part !== '')
  if (parts.length === 0) throw new InputError('server_id', 'must name at least one server')
  const ids = parts.map(part => parseId('server_id', part))
  const twice = ids.filter((id, index) => ids.indexOf(id) !== index)
  if (twice.length > 0) throw new InputError('server_id', `names server ${twice[0]} more than once; give each server once`)
  if (ids.length > MAX_SERVERS) throw new InputError('server_id', `names ${ids.length} servers; one step works on at most ${MAX_SERVERS}`)
  return ids
}

export function parseMaxParallel(raw: string): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < MAX_PARALLEL_RANGE.min || value > MAX_PARALLEL_RANGE.max) {
    throw new InputError('max_parallel', `must be a whole number from ${MAX_PARALLEL_RANGE.min} to ${MAX_PARALLEL_RANGE.max}; got "${raw}"`)
  }
  return value
}

/** The servers a step works on, and how many at once. */
export interface Fleet {
  serverIds: number[]
  maxParallel: number
}

/** `server_id` (one or several) and `max_parallel`. */
export function readFleet(read: InputReader): Fleet {
  return { serverIds: parseServerIds(read.required('server_id')), maxParallel: parseMaxParallel(read.withDefault('max_parallel')) }
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
    throw new InputError(name, `is not a readable JSON object of server id to id, as a create writes to its ${name}s output; got "${raw}"`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError(name, `must be a JSON object of server id to id; got "${raw}"`)
  const byServer = new Map<number, number>()
  const positive = (text: string) => /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) > 0
  for (const [server, id] of Object.entries(parsed)) {
    const text = typeof id === 'number' || typeof id === 'string' ? String(id) : JSON.stringify(id)
    if (!positive(server)) throw new InputError(name, `has the key "${server}", which is not a server id (a positive integer)`)
    if (!positive(text)) throw new InputError(name, `maps server ${server} to ${JSON.stringify(id)}, which is not an id (a positive integer)`)
    byServer.set(Number(server), Number(text))
  }
  if (byServer.size === 0) throw new InputError(name, 'names no server: the create it came from made nothing')
  return { byServer }
}

export function parseReference(name: string, raw: string): ItemReference {
  if (raw === 'latest') return { latest: true }
  if (!/^\d+$/.test(raw)) throw new InputError(name, `must be a positive integer or "latest"; got "${raw}"`)
  return { id: parseId(name, raw) }
}

export function parseName(name: string, raw: string): string {
  if (!NAME_PATTERN.test(raw)) throw new InputError(name, `${NAME_RULE}; got "${raw}"`)
  return raw
}

/** The one boolean parser: the same spellings as core.getBooleanInput (YAML 1.2 core schema), with a clearer error. */
export function parseBoolean(name: string, raw: string): boolean {
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  throw new InputError(name, `must be true or false; got "${raw}"`)
}

export function parseCount(name: string, raw: string): number {
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
export function parseDuration(name: string, raw: string): number {
  const text = /^\d+(?:\.\d+)?$/.test(raw) ? `${raw}s` : raw
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smh])/g)]
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== text) throw new InputError(name, `must be ${DURATION_SYNTAX}; got "${raw}"`)
  const ms = Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * (DURATION_UNIT_SECONDS[unit ?? 's'] ?? 0), 0) * 1000)
  if (ms > MAX_TIMEOUT_SECONDS * 1000) throw new InputError(name, `must be at most 6h, the longest a GitHub-hosted job can run; got "${raw}"`)
  return ms
}

export function parseTimeout(raw: string): number {
  const ms = parseDuration('timeout', raw)
  if (ms <= 0) throw new InputError('timeout', `must be more than 0 seconds; got "${raw}"`)
  return ms
}

export function parsePollInterval(raw: string): number {
  const ms = parseDuration('poll_interval', raw)
  if (ms < MIN_POLL_INTERVAL_SECONDS * 1000) throw new InputError('poll_interval', `must be at least ${MIN_POLL_INTERVAL_SECONDS} seconds; got "${raw}"`)
  return ms
}

/** `https://` only, but for a loopback host; no credentials in the URL, where logs could show them. */
export function parseApiUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InputError('api_url', `must be an absolute URL such as ${INPUT_DEFAULTS.api_url}; got "${raw}"`)
  }
  if (url.username || url.password) throw new InputError('api_url', 'must not contain a user name or password; pass the token in "api_token"')
  if (url.search || url.hash) throw new InputError('api_url', `must not have a query or fragment; got "${raw}"`)
  const loopback = LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError('api_url', `must start with https:// (http:// is allowed only for 127.0.0.1, localhost or [::1]); got "${url.origin}"`)
  }
  return url
}
