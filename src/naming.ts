import { randomBytes } from 'node:crypto'
import { context } from '@actions/github'

/** Longest repository part of a generated name, so names stay short whatever the repository. */
const MAX_REPOSITORY_LENGTH = 40
const SHORT_SHA_LENGTH = 7

/** Who is running the action: what default names and descriptions are made of. */
export interface RunContext {
  repository: string
  sha: string
  runId: string
  runAttempt: string
  workflow: string
}

/** The run as `@actions/github` sees it, with placeholders when run outside GitHub Actions. */
export function currentRun(): RunContext {
  const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : 'local'
  return {
    repository,
    sha: context.sha ? context.sha.slice(0, SHORT_SHA_LENGTH) : 'unknown',
    runId: Number.isNaN(context.runId) ? '0' : String(context.runId),
    runAttempt: Number.isNaN(context.runAttempt) ? '1' : String(context.runAttempt),
    workflow: context.workflow ?? 'local'
  }
}

/**
 * A token unique to this step: the prefix, the repository, the run id and attempt, and a random
 * nonce. It is the default snapshot name and starts every backup description, so that rotation
 * recognises what this action made and a lost answer can be matched to what it created.
 */
export function creationMarker(prefix: string, run: RunContext): string {
  const repository = run.repository.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, MAX_REPOSITORY_LENGTH)
  const nonce = randomBytes(3).toString('hex')
  return `${prefix}${repository}-${run.runId}-${run.runAttempt}-${nonce}`
}

export function defaultDescription(run: RunContext): string {
  return `Before deploy of ${run.repository}@${run.sha} (workflow "${run.workflow}", run ${run.runId}, attempt ${run.runAttempt})`
}
