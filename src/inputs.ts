import * as core from '@actions/core'
import type { BackupType } from './api/types.ts'
import { InputError } from './errors.ts'
import type { RunContext } from './run-context.ts'
import { creationMarker, defaultDescription } from './naming.ts'

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
  dry_run: 'false'
} as const satisfies Record<string, string | undefined>

export type InputName = keyof typeof INPUT_DEFAULTS

export const OPERATIONS = [
  'create-snapshot',
  'create-backup',
  'restore-snapshot',
  'restore-backup',
  'list-snapshots',
  'list-backups',
  'delete-snapshot',
  'delete-backup',
  'wait-snapshot',
  'wait-backup',
  'prune-snapshots',
  'prune-backups'
] as const

export type Operation = (typeof OPERATIONS)[number]

/** Fewest seconds between two status checks: a floor that keeps a typo from hammering the API. */
export const MIN_POLL_INTERVAL_SECONDS = 0.1
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
const NAME_RULE = 'may hold only letters, digits, "-" and "_"'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** A numeric id, or the newest completed item of the server. */
export type ItemReference = { id: number } | { latest: true }
/** What restore-snapshot may name: an id, `latest`, or a snapshot name. */
export type SnapshotReference = ItemReference | { name: string }

/** What every operation shares. */
export interface CommonSettings {
  apiUrl: URL
  apiToken: string
  wait: boolean
  timeoutMs: number
  pollIntervalMs: number
  dryRun: boolean
  namePrefix: string
}

export interface CreateSettings {
  serverId: number
  description: string
  /** Unique to this step; see `creationMarker`. */
  marker: string
  keep: number
  rollbackOnFailure: boolean
}

/** What each operation needs, already checked: a missing or bad input never gets this far. */
export type OperationSettings =
  | ({ operation: 'create-snapshot'; name: string } & CreateSettings)
  | ({ operation: 'create-backup' } & CreateSettings)
  | { operation: 'restore-snapshot'; snapshot: SnapshotReference; serverId: number | undefined }
  | { operation: 'restore-backup'; backup: ItemReference; serverId: number }
  | { operation: 'list-snapshots'; serverId: number | undefined }
  | { operation: 'list-backups'; serverId: number | undefined; backupType: BackupType | undefined }
  | { operation: 'delete-snapshot' | 'delete-backup'; id: number }
  | { operation: 'wait-snapshot' | 'wait-backup'; id: number; serverId: number }
  | { operation: 'prune-snapshots' | 'prune-backups'; serverId: number; keep: number }

export type Settings = CommonSettings & OperationSettings

/** Reads inputs the way the runner passes them, and remembers which ones an operation used. */
class Inputs {
  readonly #used = new Set<InputName>()

  optional(name: InputName): string | undefined {
    this.#used.add(name)
    return core.getInput(name) || undefined
  }

  required(name: InputName, operation?: string): string {
    const value = this.optional(name)
    if (value === undefined) throw new InputError(name, operation ? `is required by operation "${operation}"` : 'is required')
    return value
  }

  /** Inputs set to something other than their default that the operation does not read. */
  ignored(): InputName[] {
    return (Object.keys(INPUT_DEFAULTS) as InputName[]).filter(name => {
      const value = core.getInput(name)
      return !this.#used.has(name) && value !== '' && value !== INPUT_DEFAULTS[name]
    })
  }
}

/** Every input read, checked and turned into one Settings object, before any request is sent. */
export async function readSettings(options: { warnIgnored?: boolean } = {}): Promise<Settings> {
  const inputs = new Inputs()
  // The token is masked before anything else can print it, even in an error about it.
  const apiToken = readToken(inputs)
  const operation = parseOperation(inputs.required('operation'))
  const common: CommonSettings = {
    apiToken,
    apiUrl: parseApiUrl(inputs.optional('api_url') ?? INPUT_DEFAULTS.api_url),
    wait: parseBoolean('wait', inputs.optional('wait') ?? INPUT_DEFAULTS.wait),
    timeoutMs: parseDuration('timeout', inputs.optional('timeout') ?? INPUT_DEFAULTS.timeout),
    pollIntervalMs: parsePollInterval(inputs.optional('poll_interval') ?? INPUT_DEFAULTS.poll_interval),
    dryRun: parseBoolean('dry_run', inputs.optional('dry_run') ?? INPUT_DEFAULTS.dry_run),
    namePrefix: parseName('name_prefix', inputs.optional('name_prefix') ?? INPUT_DEFAULTS.name_prefix)
  }
  // The run context (and @actions/github with it) is loaded only by the operations that name things.
  const run = operation === 'create-snapshot' || operation === 'create-backup' ? (await import('./run-context.ts')).currentRun() : undefined
  const settings: Settings = { ...common, ...readOperationSettings(operation, inputs, common, run) }
  const ignored = options.warnIgnored === false ? [] : inputs.ignored()
  for (const name of ignored) core.warning(`Input "${name}" is not used by operation "${operation}" and was ignored.`)
  return settings
}

function readOperationSettings(operation: Operation, inputs: Inputs, common: CommonSettings, run: RunContext | undefined): OperationSettings {
  const serverId = (): number => parseId('server_id', inputs.required('server_id', operation))
  const optionalServerId = (): number | undefined => mapOptional(inputs.optional('server_id'), raw => parseId('server_id', raw))
  const id = (name: 'snapshot_id' | 'backup_id'): number => parseId(name, inputs.required(name, operation))
  switch (operation) {
    case 'create-snapshot':
    case 'create-backup': {
      if (!run) throw new Error('a create needs the run context to name what it creates')
      const marker = creationMarker(common.namePrefix, run)
      const create: CreateSettings = {
        serverId: serverId(),
        marker,
        description: inputs.optional('description') ?? defaultDescription(run),
        keep: parseCount('keep', inputs.optional('keep') ?? INPUT_DEFAULTS.keep),
        rollbackOnFailure: parseBoolean('rollback_on_failure', inputs.optional('rollback_on_failure') ?? INPUT_DEFAULTS.rollback_on_failure)
      }
      if (operation === 'create-backup') return { operation, ...create }
      const name = mapOptional(inputs.optional('name'), raw => parseName('name', raw)) ?? marker
      return { operation, ...create, name }
    }
    case 'restore-snapshot': {
      const snapshot = readSnapshotReference(inputs)
      const server = optionalServerId()
      if (server === undefined && !('id' in snapshot)) {
        throw new InputError('server_id', `is required by operation "${operation}" when the snapshot is given by ${'name' in snapshot ? 'name' : '"latest"'}`)
      }
      return { operation, snapshot, serverId: server }
    }
    case 'restore-backup':
      return { operation, serverId: serverId(), backup: parseReference('backup_id', inputs.required('backup_id', operation)) }
    case 'list-snapshots':
      return { operation, serverId: optionalServerId() }
    case 'list-backups':
      return { operation, serverId: optionalServerId(), backupType: mapOptional(inputs.optional('backup_type'), parseBackupType) }
    case 'delete-snapshot':
      return { operation, id: id('snapshot_id') }
    case 'delete-backup':
      return { operation, id: id('backup_id') }
    case 'wait-snapshot':
      return { operation, id: id('snapshot_id'), serverId: serverId() }
    case 'wait-backup':
      return { operation, id: id('backup_id'), serverId: serverId() }
    case 'prune-snapshots':
    case 'prune-backups': {
      const keep = parseCount('keep', inputs.optional('keep') ?? INPUT_DEFAULTS.keep)
      if (keep === 0) throw new InputError('keep', `must be at least 1 for operation "${operation}" (0 means never delete)`)
      return { operation, serverId: serverId(), keep }
    }
  }
}

function readToken(inputs: Inputs): string {
  const token = inputs.required('api_token')
  core.setSecret(token)
  // The Authorization header is never logged, but its encoded forms are masked all the same.
  core.setSecret(Buffer.from(token).toString('base64'))
  if (/[\r\n]/.test(token)) throw new InputError('api_token', 'must be a single line (it contains a line break)')
  return token
}

function readSnapshotReference(inputs: Inputs): SnapshotReference {
  const id = inputs.optional('snapshot_id')
  const name = inputs.optional('name')
  if (id !== undefined && name !== undefined) {
    throw new InputError('snapshot_id', 'and input "name" both name the snapshot to restore: give only one')
  }
  if (name !== undefined) return { name: parseName('name', name) }
  if (id === undefined) throw new InputError('snapshot_id', 'or input "name" is required by operation "restore-snapshot"')
  return parseReference('snapshot_id', id)
}

function mapOptional<T>(raw: string | undefined, parse: (raw: string) => T): T | undefined {
  return raw === undefined ? undefined : parse(raw)
}

export function parseOperation(raw: string): Operation {
  const operation = OPERATIONS.find(known => known === raw)
  if (!operation) throw new InputError('operation', `must be one of ${OPERATIONS.join(', ')}; got "${raw}"`)
  return operation
}

export function parseId(name: string, raw: string): number {
  const id = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id) || id < 1) {
    throw new InputError(name, `must be a positive integer; got "${raw}"`)
  }
  return id
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

export function parseBoolean(name: string, raw: string): boolean {
  // The same spellings as core.getBooleanInput (YAML 1.2 core schema), with a clearer error.
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

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** Seconds (`90`) or a duration (`90s`, `15m`, `1h`, `1h30m`), to milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const problem = `must be seconds ("90") or a duration ("90s", "15m", "1h", "1h30m"); got "${raw}"`
  const plain = /^\d+(?:\.\d+)?$/.test(raw) ? `${raw}s` : raw
  const parts = [...plain.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map(part => part[0]).join('') !== plain) throw new InputError(name, problem)
  const ms = Math.round(parts.reduce((total, [, amount, unit]) => total + Number(amount) * (DURATION_UNITS_MS[unit ?? 's'] ?? 0), 0))
  if (ms <= 0) throw new InputError(name, `must be at least 1 ms; got "${raw}"`)
  return ms
}

export function parsePollInterval(raw: string): number {
  const seconds = Number(raw)
  if (!/^\d+(?:\.\d+)?$/.test(raw) || seconds < MIN_POLL_INTERVAL_SECONDS) {
    throw new InputError('poll_interval', `must be a number of seconds, at least ${MIN_POLL_INTERVAL_SECONDS}; got "${raw}"`)
  }
  return Math.round(seconds * 1000)
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
