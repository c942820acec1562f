// `@actions/github`'s run context, from the package's own module for it. The package exports its
// context only through its index, and the index also builds an Octokit client, bringing Octokit
// and undici's fetch, which naming a snapshot never uses: a create would start 35–45 ms later.
// A file path is not held to the package's `exports`; test/startup.test.ts checks that this is
// the very class of the index's `context`, so an update that moves it fails there.
import { Context } from '../node_modules/@actions/github/lib/context.js'

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
  const context = new Context()
  const repository = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : 'local'
  return {
    repository,
    sha: context.sha ? context.sha.slice(0, SHORT_SHA_LENGTH) : 'unknown',
    runId: Number.isNaN(context.runId) ? '0' : String(context.runId),
    runAttempt: Number.isNaN(context.runAttempt) ? '1' : String(context.runAttempt),
    workflow: context.workflow ?? 'local'
  }
}
