import { randomBytes } from 'node:crypto'
import { PROTECTED_SUFFIX } from './kinds.ts'
import type { RunContext } from './run-context.ts'

/** Longest repository part of a generated name, so names stay short whatever the repository. */
const MAX_REPOSITORY_LENGTH = 40

/**
 * A token unique to this step: the prefix, the repository, the run id and attempt, a random
 * nonce, and for a protected item `-protected`. It is the default snapshot name and starts every
 * description, so that rotation recognises what this action made (and what it must keep), and a
 * lost answer can be matched to what it created.
 */
export function creationMarker(prefix: string, run: RunContext, protect = false): string {
  const repository = run.repository.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, MAX_REPOSITORY_LENGTH)
  const nonce = randomBytes(3).toString('hex')
  return `${prefix}${repository}-${run.runId}-${run.runAttempt}-${nonce}${protect ? PROTECTED_SUFFIX : ''}`
}

export function defaultDescription(run: RunContext): string {
  return `Before deploy of ${run.repository}@${run.sha} (workflow "${run.workflow}", run ${run.runId}, attempt ${run.runAttempt})`
}
