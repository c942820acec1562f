import { context } from '@actions/github'

/** Shortest commit id that still tells commits apart in a description. */
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
