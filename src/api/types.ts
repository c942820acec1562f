// Shapes of the VPS.org API's answers, as documented in its snapshot and backup pages.

interface ServerRef {
  id: number
  name: string
}

/** What snapshots and backups have in common: enough to wait for one, pick one or rotate them. */
export interface Item {
  id: number
  server: ServerRef
  status: string
  size_mb: number | null
  created_at: string
  description: string | null
}

export interface Snapshot extends Item {
  name: string
}

export type BackupType = 'manual' | 'automatic'

export interface Backup extends Item {
  backup_type: BackupType
  expires_at: string | null
}

export interface Server {
  id: number
  name: string
  status: string
}

/** The answer to a restore, from a snapshot or from a backup. */
export interface RestoreAnswer {
  status: string
  message: string
  server: Server
}

/** The two statuses of a job that has not failed; any other status is a failure. */
export const IN_PROGRESS = 'in_progress'
export const COMPLETED = 'completed'
