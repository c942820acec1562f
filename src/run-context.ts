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

/**
 * The run as the runner describes it, with placeholders when run outside GitHub Actions.
 *
 * These are the runner's default variables, read as `@actions/github`'s `context` reads them
 * (`GITHUB_REPOSITORY` split at `/`, the run id and attempt through `parseInt`). The action
 * used `context` for these five fields only, and importing `@actions/github` also loads Octokit
 * and undici's fetch (its package exports offer the context module only through the index),
 * which made every create start about 25 ms slower than the other operations.
 */
export function currentRun(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const runId = parseInt(env.GITHUB_RUN_ID ?? '', 10)
  const runAttempt = parseInt(env.GITHUB_RUN_ATTEMPT ?? '', 10)
  return {
    repository: env.GITHUB_REPOSITORY ? `${owner}/${repo}` : 'local',
    sha: env.GITHUB_SHA ? env.GITHUB_SHA.slice(0, SHORT_SHA_LENGTH) : 'unknown',
    runId: Number.isNaN(runId) ? '0' : String(runId),
    runAttempt: Number.isNaN(runAttempt) ? '1' : String(runAttempt),
    workflow: env.GITHUB_WORKFLOW ?? 'local'
  }
}
