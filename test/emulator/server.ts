// A stateful emulator of the VPS.org API on loopback, for end-to-end tests, demos and CI.
// Request flow: read body → record → match route → fault? → authenticate → handle → answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  FaultQueues,
  describeFault,
  isFaultBeforeActing,
  playFaultAfterActing,
  playFaultBeforeActing,
  type Fault
} from './faults.ts'
import { HttpError, sendReply, type Reply } from './reply.ts'
import { API_PREFIX, ROUTE_KEYS, matchRoute, type RouteContext, type RouteMatch } from './routes.ts'
import {
  DEFAULT_FAILURE_STATUS,
  EmulatorState,
  type AcceptedRestore,
  type Backup,
  type BackupSeed,
  type Disk,
  type JobKind,
  type ServerSeed,
  type ServerView,
  type Snapshot,
  type SnapshotSeed
} from './state.ts'
import { parseBody, type ParsedBody } from './validation.ts'

export type { Fault } from './faults.ts'
export type {
  AcceptedRestore,
  Backup,
  BackupSeed,
  Disk,
  JobKind,
  ServerSeed,
  ServerView,
  Snapshot,
  SnapshotSeed
} from './state.ts'

export interface EmulatorOptions {
  token?: string
  /** Seconds a snapshot or backup stays in_progress (fractions allowed). */
  jobSeconds?: number
  /** Seconds a restore takes: the first quarter `stopping`, the rest `restoring`. */
  restoreSeconds?: number
  pageSize?: number
  host?: string
  /** 0 picks any free port. */
  port?: number
  /**
   * The emulator closes itself after this long, so a forgotten one never outlives its test run;
   * Infinity keeps it until close(), for the command line's `npm run emulator`.
   */
  lifetimeSeconds?: number
  /** Replaces the default servers (fleetServers(n) gives n of them). */
  servers?: ServerSeed[]
  /** The clock that jobs and restores follow (default Date.now): a test's virtual clock, shared with the action. */
  now?: () => number
  /** Receives one line per request (`METHOD path status`), and a line when the lifetime ends. */
  log?: (line: string) => void
}

export interface RecordedRequest {
  method: string
  /** Without the query, e.g. /api/v1/snapshots/ */
  path: string
  query: Record<string, string>
  /** Parsed JSON; the raw text if it is not JSON; undefined if empty. */
  body: unknown
  authorization: string | undefined
  /** The emulator's clock when the request had been read. */
  at: number
  /** The one server the request is about, when it is about one: its list, its item, itself. */
  serverId: number | undefined
  /** The fault played instead of its answer, or on it, if any: `503 (injected status)`. */
  fault?: string
}

export interface Emulator {
  /** e.g. http://127.0.0.1:43210/api/v1 */
  url: string
  /** Every request received, faulted ones included, in order. */
  requests: RecordedRequest[]
  /** Every restore the API accepted, in order (a refused or faulted request is not one). */
  restores: readonly AcceptedRestore[]
  addServer(server: ServerSeed): void
  /** Stores an existing snapshot (default status completed); an explicit status never changes by itself. */
  addSnapshot(snapshot: SnapshotSeed): Snapshot
  addBackup(backup: BackupSeed): Backup
  /** Deletes a snapshot as someone else would, by hand, between two steps. */
  removeSnapshot(id: number): void
  /** Current state, newest first as the API lists it. */
  snapshots(serverId?: number): Snapshot[]
  backups(serverId?: number): Backup[]
  /** The server with its status evaluated now: `stopping`, then `restoring` during a restore. */
  server(id: number): ServerView | undefined
  /** Writes to a running server's disk (a user's order, a deploy); throws if it is not running. */
  write(serverId: number, label: string): void
  /** What the server's disk holds now. */
  disk(serverId: number): Disk
  /** What a snapshot or backup captured of its server's disk when it was created. */
  capturedDisk(kind: 'snapshot' | 'backup', id: number): Disk
  /**
   * The next job of this kind ends in `status` (default 'failed') instead of completed, or for
   * a restore instead of running; a restore ending in a failure status keeps the disk as it was.
   */
  failNextJob(kind: JobKind, status?: string): void
  /** Applies to jobs created from now on. */
  setJobSeconds(seconds: number): void
  /** Applies to restores started from now on. */
  setRestoreSeconds(seconds: number): void
  /** Queues faults for the next requests on a route such as 'POST /snapshots/'; one per request. */
  inject(route: string, ...faults: Fault[]): void
  /**
   * The same, for the requests about one server only (its list, its create, its items, itself),
   * or with 'none' for those about no one server (a read of the whole list).
   */
  injectFor(route: string, serverId: number | 'none', ...faults: Fault[]): void
  /** Stops listening and drops every connection, hanging and keep-alive ones included. */
  close(): Promise<void>
}

export const DEFAULT_TOKEN = 'emulator-token'
/** The emulator's two default servers, as the tests name them. */
export const WEB = 12345
export const DB = 67890
export const DEFAULT_SERVERS: readonly ServerSeed[] = [
  { id: WEB, name: 'web-server-01', status: 'running' },
  { id: DB, name: 'db-server-01', status: 'running' }
]
/** The first id of a fleet: servers 101, 102, … as the fleet examples name them. */
export const FIRST_FLEET_SERVER_ID = 101
const DEFAULT_JOB_SECONDS = 1
const DEFAULT_RESTORE_SECONDS = 1
const DEFAULT_PAGE_SIZE = 3 // small, so every client test crosses a page boundary
const DEFAULT_HOST = '127.0.0.1'
const DEFAULT_LIFETIME_SECONDS = 600
const MAX_BODY_BYTES = 1024 * 1024 // the API's bodies are a few hundred bytes
const BEARER_PREFIX = 'Bearer '

interface Settings {
  token: string
  pageSize: number
  state: EmulatorState
  faults: FaultQueues
  requests: RecordedRequest[]
  fallbackHost: string
  log: (line: string) => void
}

/** `count` servers with ids 101 to 100 + count, all running, for trying fleets. */
export function fleetServers(count: number): ServerSeed[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`a fleet needs a positive whole number of servers, got ${count}`)
  return Array.from({ length: count }, (_, index) => {
    const id = FIRST_FLEET_SERVER_ID + index
    return { id, name: `fleet-server-${id}`, status: 'running' }
  })
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState(
    options.servers ?? [...DEFAULT_SERVERS],
    options.jobSeconds ?? DEFAULT_JOB_SECONDS,
    options.restoreSeconds ?? DEFAULT_RESTORE_SECONDS,
    options.now
  )
  const host = options.host ?? DEFAULT_HOST
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`)
  const settings: Settings = {
    token: options.token ?? DEFAULT_TOKEN,
    pageSize,
    state,
    faults: new FaultQueues(ROUTE_KEYS),
    requests: [],
    fallbackHost: host,
    log: options.log ?? (() => {})
  }
  const server = createServer((request, response) => {
    handleRequest(settings, request, response).catch((error: unknown) => answerInternalError(response, error))
  })
  await listen(server, options.port ?? 0, host)
  const origin = `http://${hostForUrl(host)}:${(server.address() as AddressInfo).port}`
  settings.fallbackHost = new URL(origin).host

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= new Promise(resolve => {
      clearTimeout(lifetime)
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }
  const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS
  const lifetime = Number.isFinite(lifetimeSeconds)
    ? setTimeout(() => {
        settings.log(`lifetime of ${lifetimeSeconds} s is over; closing`)
        void close()
      }, lifetimeSeconds * 1000)
    : undefined
  lifetime?.unref() // never what keeps a test process alive

  return {
    url: `${origin}${API_PREFIX}`,
    requests: settings.requests,
    restores: state.restores,
    addServer: seed => state.addServer(seed),
    addSnapshot: seed => state.seedSnapshot(seed),
    addBackup: seed => state.seedBackup(seed),
    removeSnapshot: id => state.deleteSnapshot(id),
    snapshots: serverId => state.snapshots(serverId),
    backups: serverId => state.backups(serverId),
    server: id => state.server(id),
    write: (serverId, label) => state.write(serverId, label),
    disk: serverId => state.disk(serverId),
    capturedDisk: (kind, id) => state.capturedDisk(kind, id),
    failNextJob: (kind, status = DEFAULT_FAILURE_STATUS) => state.failNextJob(kind, status),
    setJobSeconds: seconds => {
      state.jobSeconds = seconds
    },
    setRestoreSeconds: seconds => {
      state.restoreSeconds = seconds
    },
    inject: (route, ...faults) => settings.faults.add(route, faults),
    injectFor: (route, serverId, ...faults) => settings.faults.add(route, faults, serverId),
    close
  }
}

async function handleRequest(settings: Settings, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET'
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? settings.fallbackHost}`)
  const rawBody = await readBody(request)
  const body = parseBody(rawBody ?? '')
  const match = matchRoute(method, url.pathname)
  const record = recordOf(
    request,
    method,
    url,
    body,
    settings.state.now(),
    match.kind === 'found' ? serverOf(settings.state, match, url, body) : undefined
  )
  settings.requests.push(record)
  if (rawBody === undefined) {
    sendLogged(settings, request, response, { status: 413, body: { detail: 'Request body too large.' } })
    return
  }
  if (match.kind === 'not-found') {
    sendLogged(settings, request, response, { status: 404, body: { detail: 'Not found.' } })
    return
  }
  const fault = match.kind === 'found' ? settings.faults.take(match.route.key, record.serverId) : undefined
  if (fault) record.fault = describeFault(fault)
  if (fault && isFaultBeforeActing(fault)) {
    settings.log(`${method} ${request.url} ${describeFault(fault)}`)
    playFaultBeforeActing(fault, response)
    return
  }
  const reply = act(settings, request, match, { url, body })
  if (fault) {
    settings.log(`${method} ${request.url} ${reply.status} ${describeFault(fault)}`)
    playFaultAfterActing(fault, response, reply)
    return
  }
  sendLogged(settings, request, response, reply)
}

/** Authenticates, then runs the handler: the only place the state changes. */
function act(
  settings: Settings,
  request: IncomingMessage,
  match: Exclude<RouteMatch, { kind: 'not-found' }>,
  parts: { url: URL; body: ParsedBody }
): Reply {
  const refusal = authenticate(request.headers.authorization, settings.token)
  if (refusal) return refusal
  if (match.kind === 'method-not-allowed') {
    return {
      status: 405,
      headers: { allow: match.allowed.join(', ') },
      body: { detail: `Method "${request.method}" not allowed.` }
    }
  }
  const context: RouteContext = { id: match.id, state: settings.state, pageSize: settings.pageSize, ...parts }
  try {
    return match.route.handle(context)
  } catch (error) {
    if (error instanceof HttpError) return error.reply
    throw error
  }
}

function authenticate(header: string | undefined, token: string): Reply | undefined {
  const challenge = { 'www-authenticate': 'Bearer realm="api"' }
  if (!header?.startsWith(BEARER_PREFIX)) {
    return { status: 401, headers: challenge, body: { detail: 'Authentication credentials were not provided.' } }
  }
  if (header.slice(BEARER_PREFIX.length) !== token) {
    return { status: 401, headers: challenge, body: { detail: 'Invalid token.' } }
  }
  return undefined
}

/** The whole body as text, or undefined when it exceeds MAX_BODY_BYTES. */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The server a request is about: the list's `server_id`, the create's, the item's own server, or the server itself. */
function serverOf(
  state: EmulatorState,
  match: Extract<RouteMatch, { kind: 'found' }>,
  url: URL,
  body: ParsedBody
): number | undefined {
  const key = match.route.key
  if (key.startsWith('GET /snapshots/') || key.startsWith('GET /backups/')) {
    const query = url.searchParams.get('server_id')
    return query === null || !/^\d+$/.test(query) ? undefined : Number(query)
  }
  if (key === 'POST /snapshots/' || key === 'POST /backups/') {
    const value =
      body.kind === 'json' && typeof body.value === 'object' && body.value !== null
        ? (body.value as { server_id?: unknown }).server_id
        : undefined
    return typeof value === 'number' ? value : undefined
  }
  if (key.includes('/servers/')) return match.id
  if (key.includes('/snapshots/')) return state.snapshot(match.id)?.server.id
  return state.backup(match.id)?.server.id
}

function recordOf(
  request: IncomingMessage,
  method: string,
  url: URL,
  body: ParsedBody,
  at: number,
  serverId: number | undefined
): RecordedRequest {
  return {
    serverId,
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: body.kind === 'json' ? body.value : body.kind === 'invalid' ? body.text : undefined,
    authorization: request.headers.authorization,
    at
  }
}

function sendLogged(settings: Settings, request: IncomingMessage, response: ServerResponse, reply: Reply): void {
  settings.log(`${request.method} ${request.url} ${reply.status}`)
  sendReply(response, reply)
}

/** A bug in the emulator answers 500 with its message, so the failing test shows it. */
function answerInternalError(response: ServerResponse, error: unknown): void {
  if (response.headersSent || response.destroyed) return
  sendReply(response, { status: 500, body: { detail: `Emulator error: ${String(error)}` } })
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** An IPv6 literal needs brackets in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}
