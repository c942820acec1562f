/**
 * What a server's status says about a restore it accepted. The provider stops the server, restores
 * its disk, and starts it again: the restore is finished only when the server is at rest again.
 */
type RestoreProgress = 'finished' | 'in progress' | 'failed'

/** A server that is up, or down for good: no job is changing it. */
const AT_REST = ['running', 'stopped', 'off']

export function restoreProgress(status: string): RestoreProgress {
  if (/fail|error/i.test(status)) return 'failed'
  // `stopping`, `restoring`, `starting`, and any status the action does not know, are in progress.
  return AT_REST.includes(status.toLowerCase()) ? 'finished' : 'in progress'
}
