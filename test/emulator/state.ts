// The emulator's data: servers, snapshots, backups and the jobs that change them.
// Statuses are derived from timestamps when read, so nothing runs in the background.
// Each server has a disk, a list of write labels that tests add with write(): a snapshot or
// backup captures it when created, and a restore puts the captured copy back once it is done,
// so a test can see what a restore lost and what it brought back.

export const FIRST_SNAPSHOT_ID = 801 // the README's examples start here
export const FIRST_BACKUP_ID = 501
export const SNAPSHOT_LIMIT_PER_SERVER = 5
export const MANUAL_BACKUP_LIMIT_PER_SERVER = 10
// Automatic backups follow the plan's retention; 30 days is the README's upper bound.
const AUTOMATIC_BACKUP_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
// Sizes derived from the id stay stable across runs, so assertions can rely on them.
const SIZE_BASE_MB = 2048
const SIZE_SPREAD_MB = 8192
const SIZE_STEP_PRIME = 7919

export const JOB_IN_PROGRESS = 'in_progress'
export const JOB_COMPLETED = 'completed'
export const SERVER_RUNNING = 'running'
export const SERVER_STOPPING = 'stopping'
export const SERVER_RESTORING = 'restoring'
/** The statuses of a server in the middle of a restore: the provider stops it first, then restores. */
export const SERVER_BUSY_STATUSES: readonly string[] = [SERVER_STOPPING, SERVER_RESTORING]
export const DEFAULT_FAILURE_STATUS = 'failed'
// The provider stops the server before restoring it; the first quarter of a restore is that stop,
// long enough for a test to see the server `stopping` before it is `restoring`.
const STOPPING_SHARE_OF_RESTORE = 0.25
// A restore that ends in such a status did not bring the disk back.
const FAILED_STATUS = /fail|error/i

export type JobKind = 'snapshot' | 'backup' | 'restore'
export type BackupType = 'manual' | 'automatic'

export interface ServerSeed {
  id: number
  name: string
  status?: string
}

export interface ServerView {
  id: number
  name: string
  status: string
}

/** What a server's disk holds: the labels written to it, oldest first. */
export type Disk = readonly string[]

/** A restore the API accepted. */
export interface AcceptedRestore {
  serverId: number
  from: { kind: 'snapshot' | 'backup'; id: number }
  /** The emulator's clock when it was accepted. */
  at: number
}

/** A snapshot exactly as the API shows it. */
export interface Snapshot {
  id: number
  server: { id: number; name: string }
  name: string
  status: string
  size_mb: number | null
  created_at: string
  description: string
}

/** A backup exactly as the API shows it. */
export interface Backup {
  id: number
  server: { id: number; name: string }
  backup_type: BackupType
  status: string
  size_mb: number | null
  created_at: string
  expires_at: string | null
  description: string
}

export interface SnapshotSeed {
  serverId: number
  name: string
  status?: string
  createdAt?: string
  description?: string
  sizeMb?: number | null
  /** What it captured; the server's disk at the time of seeding unless given. */
  disk?: Disk
}

export interface BackupSeed {
  serverId: number
  backupType?: BackupType
  status?: string
  createdAt?: string
  description?: string
  sizeMb?: number | null
  /** What it captured; the server's disk at the time of seeding unless given. */
  disk?: Disk
}

/** What every job shares: it reads `in_progress` until `completesAtMs`, then `finalStatus`. */
interface Job {
  id: number
  serverId: number
  createdAtMs: number
  completesAtMs: number
  finalStatus: string
  finalSizeMb: number | null
  description: string
  /** The server's disk when the job was created. */
  disk: Disk
}

interface SnapshotRecord extends Job {
  name: string
}

interface BackupRecord extends Job {
  backupType: BackupType
}

interface RestoreRun {
  /** `stopping` until then, `restoring` after. */
  stopsAtMs: number
  endsAtMs: number
  finalStatus: string
  /** Put on the server's disk when the restore ends well. */
  disk: Disk
}

interface ServerRecord {
  id: number
  name: string
  status: string
  disk: string[]
  restore?: RestoreRun
}

/** Thrown by the test helpers when asked for something impossible (a programming error in a test). */
export class EmulatorSetupError extends Error {
  override name = 'EmulatorSetupError'
}

/** The API's timestamps: ISO 8601, UTC, whole seconds, like the README's examples. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function plausibleSizeMb(id: number): number {
  return SIZE_BASE_MB + ((id * SIZE_STEP_PRIME) % SIZE_SPREAD_MB)
}

function parseTimestamp(value: string): number {
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw new EmulatorSetupError(`createdAt is not a date: ${value}`)
  return ms
}

function jobStatus(job: Job, now: number): string {
  return now < job.completesAtMs ? JOB_IN_PROGRESS : job.finalStatus
}

export class EmulatorState {
  jobSeconds: number
  restoreSeconds: number
  private readonly servers = new Map<number, ServerRecord>()
  private readonly snapshotRecords = new Map<number, SnapshotRecord>()
  private readonly backupRecords = new Map<number, BackupRecord>()
  private readonly pendingFailures = new Map<JobKind, string>()
  /** Every restore accepted, oldest first. */
  readonly restores: AcceptedRestore[] = []
  private nextSnapshotId = FIRST_SNAPSHOT_ID
  private nextBackupId = FIRST_BACKUP_ID

  /** The emulator's clock: Date.now, or a test's virtual clock shared with the action. */
  readonly now: () => number

  constructor(servers: ServerSeed[], jobSeconds: number, restoreSeconds: number, now: () => number = Date.now) {
    this.jobSeconds = jobSeconds
    this.restoreSeconds = restoreSeconds
    this.now = now
    for (const server of servers) this.addServer(server)
  }

  addServer(seed: ServerSeed): void {
    if (this.servers.has(seed.id)) throw new EmulatorSetupError(`server ${seed.id} already exists`)
    this.servers.set(seed.id, { id: seed.id, name: seed.name, status: seed.status ?? SERVER_RUNNING, disk: [] })
  }

  hasServer(id: number): boolean {
    return this.servers.has(id)
  }

  /** The server with its status as of now; a finished restore is settled on the way. */
  server(id: number): ServerView | undefined {
    const record = this.servers.get(id)
    if (!record) return undefined
    this.settleRestore(record)
    return { id: record.id, name: record.name, status: this.statusOf(record) }
  }

  /** Adds a write to a running server's disk, as its users or a deploy would. */
  write(serverId: number, label: string): void {
    const record = this.requireServer(serverId)
    this.settleRestore(record)
    const status = this.statusOf(record)
    if (status !== SERVER_RUNNING) throw new EmulatorSetupError(`server ${serverId} is ${status}: it takes no writes`)
    record.disk.push(label)
  }

  /** What the server's disk holds now. */
  disk(serverId: number): Disk {
    const record = this.requireServer(serverId)
    this.settleRestore(record)
    return [...record.disk]
  }

  /** What a snapshot or backup captured when it was created. */
  capturedDisk(kind: 'snapshot' | 'backup', id: number): Disk {
    const record = (kind === 'snapshot' ? this.snapshotRecords : this.backupRecords).get(id)
    if (!record) throw new EmulatorSetupError(`${kind} ${id} does not exist`)
    return [...record.disk]
  }

  private settleRestore(record: ServerRecord): void {
    const restore = record.restore
    if (!restore || this.now() < restore.endsAtMs) return
    record.status = restore.finalStatus
    if (!FAILED_STATUS.test(restore.finalStatus)) record.disk = [...restore.disk]
    record.restore = undefined
  }

  private statusOf(record: ServerRecord): string {
    if (!record.restore) return record.status
    return this.now() < record.restore.stopsAtMs ? SERVER_STOPPING : SERVER_RESTORING
  }

  failNextJob(kind: JobKind, status: string): void {
    this.pendingFailures.set(kind, status)
  }

  /** The status the next job of this kind ends in, consuming a pending failure. */
  private takeFinalStatus(kind: JobKind, success: string): string {
    const failure = this.pendingFailures.get(kind)
    this.pendingFailures.delete(kind)
    return failure ?? success
  }

  // --- snapshots --------------------------------------------------------------

  /** Starts a snapshot job as POST /snapshots/ does. */
  createSnapshot(serverId: number, name: string, description: string): Snapshot {
    const now = this.now()
    const id = this.nextSnapshotId++
    const finalStatus = this.takeFinalStatus('snapshot', JOB_COMPLETED)
    this.snapshotRecords.set(id, {
      id,
      serverId,
      name,
      description,
      finalStatus,
      disk: this.disk(serverId),
      createdAtMs: now,
      completesAtMs: now + this.jobSeconds * 1000,
      finalSizeMb: finalStatus === JOB_COMPLETED ? plausibleSizeMb(id) : null
    })
    return this.snapshotView(id)!
  }

  /** Stores a snapshot as it already is; an explicit status never changes by itself. */
  seedSnapshot(seed: SnapshotSeed): Snapshot {
    this.requireServer(seed.serverId)
    const id = this.nextSnapshotId++
    const status = seed.status ?? JOB_COMPLETED
    this.snapshotRecords.set(id, {
      id,
      serverId: seed.serverId,
      name: seed.name,
      description: seed.description ?? '',
      disk: [...(seed.disk ?? this.disk(seed.serverId))],
      ...this.seededTiming(seed.createdAt, status),
      finalSizeMb: seed.sizeMb !== undefined ? seed.sizeMb : defaultSeedSize(id, status)
    })
    return this.snapshotView(id)!
  }

  countSnapshots(serverId: number): number {
    return [...this.snapshotRecords.values()].filter(record => record.serverId === serverId).length
  }

  snapshot(id: number): Snapshot | undefined {
    return this.snapshotRecords.has(id) ? this.snapshotView(id) : undefined
  }

  /** Newest first, as the API lists them. */
  snapshots(serverId?: number): Snapshot[] {
    return newestFirst(this.snapshotRecords, serverId).map(record => this.snapshotView(record.id)!)
  }

  deleteSnapshot(id: number): void {
    this.snapshotRecords.delete(id)
  }

  // --- backups ----------------------------------------------------------------

  /** Starts a manual backup job as POST /backups/ does. */
  createBackup(serverId: number, description: string): Backup {
    const now = this.now()
    const id = this.nextBackupId++
    const finalStatus = this.takeFinalStatus('backup', JOB_COMPLETED)
    this.backupRecords.set(id, {
      id,
      serverId,
      description,
      finalStatus,
      disk: this.disk(serverId),
      backupType: 'manual',
      createdAtMs: now,
      completesAtMs: now + this.jobSeconds * 1000,
      finalSizeMb: finalStatus === JOB_COMPLETED ? plausibleSizeMb(id) : null
    })
    return this.backupView(id)!
  }

  /** Stores a backup as it already is; an explicit status never changes by itself. */
  seedBackup(seed: BackupSeed): Backup {
    this.requireServer(seed.serverId)
    const id = this.nextBackupId++
    const status = seed.status ?? JOB_COMPLETED
    const backupType = seed.backupType ?? 'manual'
    this.backupRecords.set(id, {
      id,
      serverId: seed.serverId,
      backupType,
      description: seed.description ?? (backupType === 'automatic' ? 'Automatic daily backup' : ''),
      disk: [...(seed.disk ?? this.disk(seed.serverId))],
      ...this.seededTiming(seed.createdAt, status),
      finalSizeMb: seed.sizeMb !== undefined ? seed.sizeMb : defaultSeedSize(id, status)
    })
    return this.backupView(id)!
  }

  countManualBackups(serverId: number): number {
    return [...this.backupRecords.values()].filter(
      record => record.serverId === serverId && record.backupType === 'manual'
    ).length
  }

  backup(id: number): Backup | undefined {
    return this.backupRecords.has(id) ? this.backupView(id) : undefined
  }

  backups(serverId?: number): Backup[] {
    return newestFirst(this.backupRecords, serverId).map(record => this.backupView(record.id)!)
  }

  deleteBackup(id: number): void {
    this.backupRecords.delete(id)
  }

  // --- restores ---------------------------------------------------------------

  /**
   * Starts a restore from a snapshot or backup the caller has checked: the server is `stopping`
   * for the first quarter of restoreSeconds, then `restoring`, then `running` (or the status
   * failNextJob gave) with the item's captured disk.
   */
  startRestore(serverId: number, from: AcceptedRestore['from']): ServerView {
    const record = this.requireServer(serverId)
    const now = this.now()
    const durationMs = this.restoreSeconds * 1000
    record.restore = {
      stopsAtMs: now + durationMs * STOPPING_SHARE_OF_RESTORE,
      endsAtMs: now + durationMs,
      finalStatus: this.takeFinalStatus('restore', SERVER_RUNNING),
      disk: this.capturedDisk(from.kind, from.id)
    }
    this.restores.push({ serverId, from: { ...from }, at: now })
    return this.server(serverId)!
  }

  // --- helpers ----------------------------------------------------------------

  private requireServer(id: number): ServerRecord {
    const record = this.servers.get(id)
    if (!record) throw new EmulatorSetupError(`server ${id} does not exist; add it first`)
    return record
  }

  private seededTiming(createdAt: string | undefined, status: string) {
    const createdAtMs = createdAt === undefined ? this.now() : parseTimestamp(createdAt)
    // A seeded in_progress item stays so, letting a test hold a job open as long as it needs.
    const completesAtMs = status === JOB_IN_PROGRESS ? Infinity : createdAtMs
    return { createdAtMs, completesAtMs, finalStatus: status }
  }

  private serverRef(serverId: number): { id: number; name: string } {
    return { id: serverId, name: this.servers.get(serverId)?.name ?? '' }
  }

  private snapshotView(id: number): Snapshot | undefined {
    const record = this.snapshotRecords.get(id)
    if (!record) return undefined
    const status = jobStatus(record, this.now())
    return {
      id: record.id,
      server: this.serverRef(record.serverId),
      name: record.name,
      status,
      size_mb: status === JOB_IN_PROGRESS ? null : record.finalSizeMb,
      created_at: formatTimestamp(record.createdAtMs),
      description: record.description
    }
  }

  private backupView(id: number): Backup | undefined {
    const record = this.backupRecords.get(id)
    if (!record) return undefined
    const status = jobStatus(record, this.now())
    return {
      id: record.id,
      server: this.serverRef(record.serverId),
      backup_type: record.backupType,
      status,
      size_mb: status === JOB_IN_PROGRESS ? null : record.finalSizeMb,
      created_at: formatTimestamp(record.createdAtMs),
      expires_at:
        record.backupType === 'automatic' ? formatTimestamp(record.createdAtMs + AUTOMATIC_BACKUP_RETENTION_MS) : null,
      description: record.description
    }
  }
}

function defaultSeedSize(id: number, status: string): number | null {
  return status === JOB_COMPLETED ? plausibleSizeMb(id) : null
}

function newestFirst<T extends Job>(records: Map<number, T>, serverId?: number): T[] {
  return [...records.values()]
    .filter(record => serverId === undefined || record.serverId === serverId)
    .sort((a, b) => b.id - a.id)
}
