// The API's endpoints. Each handler validates, acts on the state and returns a Reply, or throws
// an HttpError. Error bodies deliberately vary in shape between endpoints (detail, message, error,
// field maps), as the README warns the real API may, so a client must cope with all of them.
import type { Reply } from './reply.ts'
import { HttpError } from './reply.ts'
import { paginate } from './pagination.ts'
import {
  JOB_COMPLETED,
  JOB_IN_PROGRESS,
  MANUAL_BACKUP_LIMIT_PER_SERVER,
  SERVER_BUSY_STATUSES,
  SNAPSHOT_LIMIT_PER_SERVER,
  type BackupType,
  type EmulatorState,
  type ServerView
} from './state.ts'
import {
  FieldErrors,
  objectBody,
  optionalString,
  queryChoice,
  queryInteger,
  requiredInteger,
  requiredMatching,
  type ParsedBody
} from './validation.ts'

export const API_PREFIX = '/api/v1'

export interface RouteContext {
  /** The `{id}` of the path; NaN on routes without one. */
  id: number
  /** The full URL asked for, its origin taken from the Host header (for pagination links). */
  url: URL
  body: ParsedBody
  state: EmulatorState
  pageSize: number
}

interface Route {
  /** `METHOD /pattern/`, relative to the API prefix: the name `inject` uses. */
  key: string
  method: string
  pattern: RegExp
  handle(context: RouteContext): Reply
}

export type RouteMatch =
  | { kind: 'found'; route: Route; id: number }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allowed: string[] }

const SNAPSHOT_NAME = /^[A-Za-z0-9_-]+$/
const SNAPSHOT_NAME_MISMATCH = 'Only letters, digits, - and _ are allowed.'
const BACKUP_TYPES: readonly BackupType[] = ['manual', 'automatic']
const SNAPSHOT_CREATED = 'Snapshot is being created. This may take 3-10 minutes depending on server size.'
const BACKUP_CREATED = 'Backup is being created. This may take several minutes depending on server size.'
const RESTORING_FROM_SNAPSHOT = 'Server is being restored from snapshot. This may take 5-15 minutes.'
const RESTORING_FROM_BACKUP = 'Server is being restored from backup. This may take 5-15 minutes.'
const NOT_FOUND = { detail: 'Not found.' }

// --- lists --------------------------------------------------------------------

function listSnapshots(context: RouteContext): Reply {
  const errors = new FieldErrors()
  const serverId = queryInteger(context.url.searchParams, 'server_id', errors)
  errors.throwIfAny()
  return { status: 200, body: paginate(context.state.snapshots(serverId), context.url, context.pageSize) }
}

function listBackups(context: RouteContext): Reply {
  const errors = new FieldErrors()
  const serverId = queryInteger(context.url.searchParams, 'server_id', errors)
  const backupType = queryChoice(context.url.searchParams, 'backup_type', BACKUP_TYPES, errors)
  errors.throwIfAny()
  const backups = context.state
    .backups(serverId)
    .filter(backup => backupType === undefined || backup.backup_type === backupType)
  return { status: 200, body: paginate(backups, context.url, context.pageSize) }
}

// --- creation -------------------------------------------------------------------

function createSnapshot(context: RouteContext): Reply {
  const body = objectBody(context.body)
  const errors = new FieldErrors()
  const serverId = requiredInteger(body, 'server_id', errors)
  const name = requiredMatching(body, 'name', SNAPSHOT_NAME, SNAPSHOT_NAME_MISMATCH, errors)
  const description = optionalString(body, 'description', errors)
  errors.throwIfAny()
  if (!context.state.hasServer(serverId)) throw new HttpError(404, { detail: 'Server not found.' })
  if (context.state.countSnapshots(serverId) >= SNAPSHOT_LIMIT_PER_SERVER) {
    throw new HttpError(400, {
      error: `Snapshot limit reached: a server can have at most ${SNAPSHOT_LIMIT_PER_SERVER} snapshots. Delete one first.`
    })
  }
  const snapshot = context.state.createSnapshot(serverId, name, description ?? '')
  return { status: 201, body: { ...snapshot, message: SNAPSHOT_CREATED } }
}

function createBackup(context: RouteContext): Reply {
  const body = objectBody(context.body)
  const errors = new FieldErrors()
  const serverId = requiredInteger(body, 'server_id', errors)
  const description = optionalString(body, 'description', errors)
  errors.throwIfAny()
  if (!context.state.hasServer(serverId)) throw new HttpError(404, { message: 'Server not found.' })
  if (context.state.countManualBackups(serverId) >= MANUAL_BACKUP_LIMIT_PER_SERVER) {
    throw new HttpError(400, {
      message: `Manual backup limit reached: a server can have at most ${MANUAL_BACKUP_LIMIT_PER_SERVER} manual backups.`
    })
  }
  const backup = context.state.createBackup(serverId, description ?? '')
  return { status: 201, body: { ...backup, message: BACKUP_CREATED } }
}

// --- restores -------------------------------------------------------------------

function restoreSnapshot(context: RouteContext): Reply {
  const snapshot = context.state.snapshot(context.id)
  if (!snapshot) throw new HttpError(404, NOT_FOUND)
  refuseWhileRestoring(context.state.server(snapshot.server.id), message => ({ error: message }))
  if (snapshot.status !== JOB_COMPLETED) {
    throw new HttpError(400, { error: `Snapshot ${snapshot.id} cannot be restored: its status is ${snapshot.status}.` })
  }
  const server = context.state.startRestore(snapshot.server.id, { kind: 'snapshot', id: snapshot.id })
  return {
    status: 200,
    body: {
      status: 'success',
      message: RESTORING_FROM_SNAPSHOT,
      snapshot: { id: snapshot.id, name: snapshot.name, created_at: snapshot.created_at },
      server
    }
  }
}

function restoreServer(context: RouteContext): Reply {
  if (!context.state.hasServer(context.id)) throw new HttpError(404, NOT_FOUND)
  const body = objectBody(context.body)
  const errors = new FieldErrors()
  const backupId = requiredInteger(body, 'backup_id', errors)
  errors.throwIfAny()
  const backup = context.state.backup(backupId)
  if (!backup) throw new HttpError(404, { message: `Backup ${backupId} not found.` })
  if (backup.server.id !== context.id) {
    throw new HttpError(400, {
      message: `Backup ${backupId} belongs to server ${backup.server.id}, not ${context.id}.`
    })
  }
  refuseWhileRestoring(context.state.server(context.id), message => ({ message }))
  if (backup.status !== JOB_COMPLETED) {
    throw new HttpError(400, { message: `Backup ${backup.id} cannot be restored: its status is ${backup.status}.` })
  }
  const server = context.state.startRestore(context.id, { kind: 'backup', id: backup.id })
  return {
    status: 200,
    body: {
      status: 'success',
      message: RESTORING_FROM_BACKUP,
      backup: { id: backup.id, created_at: backup.created_at },
      server
    }
  }
}

/** A server being stopped for a restore, or restored, takes no second restore. */
function refuseWhileRestoring(server: ServerView | undefined, shape: (message: string) => object): void {
  if (server && SERVER_BUSY_STATUSES.includes(server.status)) {
    throw new HttpError(400, shape('Server is not in a valid state for restoration: a restore is already running.'))
  }
}

// --- deletion and servers -----------------------------------------------------------

function deleteSnapshot(context: RouteContext): Reply {
  const snapshot = context.state.snapshot(context.id)
  if (!snapshot) throw new HttpError(404, NOT_FOUND)
  if (snapshot.status === JOB_IN_PROGRESS) {
    throw new HttpError(400, { message: `Snapshot ${snapshot.id} is still being created and cannot be deleted yet.` })
  }
  context.state.deleteSnapshot(snapshot.id)
  return { status: 204 }
}

function deleteBackup(context: RouteContext): Reply {
  const backup = context.state.backup(context.id)
  if (!backup) throw new HttpError(404, { error: 'Backup not found.' })
  if (backup.status === JOB_IN_PROGRESS) {
    throw new HttpError(400, { error: `Backup ${backup.id} is still being created and cannot be deleted yet.` })
  }
  context.state.deleteBackup(backup.id)
  return { status: 204 }
}

function getServer(context: RouteContext): Reply {
  const server = context.state.server(context.id)
  if (!server) throw new HttpError(404, NOT_FOUND)
  return { status: 200, body: server }
}

// --- routing --------------------------------------------------------------------

function route(key: string, handle: (context: RouteContext) => Reply): Route {
  const [method = '', template = ''] = key.split(' ')
  const pattern = new RegExp(`^${template.replace('{id}', '(\\d+)')}$`)
  return { key, method, pattern, handle }
}

const ROUTES: readonly Route[] = [
  route('GET /snapshots/', listSnapshots),
  route('POST /snapshots/', createSnapshot),
  route('POST /snapshots/{id}/restore/', restoreSnapshot),
  route('DELETE /snapshots/{id}/', deleteSnapshot),
  route('GET /backups/', listBackups),
  route('POST /backups/', createBackup),
  route('DELETE /backups/{id}/', deleteBackup),
  route('POST /servers/{id}/restore/', restoreServer),
  route('GET /servers/{id}/', getServer)
]

export const ROUTE_KEYS: readonly string[] = ROUTES.map(entry => entry.key)

/** Finds the route for a path (with the API prefix); a path known under another method is a 405. */
export function matchRoute(method: string, path: string): RouteMatch {
  if (!path.startsWith(`${API_PREFIX}/`)) return { kind: 'not-found' }
  const relative = path.slice(API_PREFIX.length)
  const allowed: string[] = []
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(relative)
    if (!match) continue
    if (candidate.method === method) return { kind: 'found', route: candidate, id: Number(match[1]) }
    allowed.push(candidate.method)
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' }
}
