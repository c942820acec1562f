// .env.example, the dotenv file `npm run local` reads when there is no .env: every input of
// action.yml, in its order, with its default, except the few a run on the emulator needs to set,
// then the run context. `npm run docs` writes it; test/env-example.test.ts fails when it differs.
import { parse } from 'yaml'

interface ActionInput {
  // A scalar, as action.yml's schema has it.
  default?: string | number | boolean | null
}

/**
 * The inputs whose value is not action.yml's default, and why: a create-snapshot on the emulator
 * that `npm run emulator` starts on port 18731 (its script in package.json).
 */
export const LOCAL_RUN_INPUTS: Readonly<Record<string, { value: string; why?: string }>> = {
  operation: { value: 'create-snapshot' },
  api_token: { value: 'emulator-token', why: "The emulator's token; a real one only in your .env" },
  api_url: { value: 'http://127.0.0.1:18731/api/v1', why: 'Where `npm run emulator` listens' },
  server_id: {
    value: '12345',
    why: "The emulator's first server; with `npm run emulator -- --servers N`, 101 to 100 + N"
  }
}

const HEADER = `# Inputs and run context for \`npm run local\`, which runs src/main.ts's run() through
# @github/local-action. Copy this file to .env (ignored by Git) to change it: \`npm run local\`
# reads .env when there is one, else this file; \`npm run local -- other.env\` reads another.
# \`npm run docs\` writes this file from action.yml: change scripts/env-example.ts, not this file.
#
# With a loopback INPUT_API_URL, \`npm run local\` calls the emulator of the VPS.org API that
# answers there: \`npm run emulator\`, in another terminal, starts one that keeps its state until
# stopped, so that runs follow one another (rotation, a restore of an earlier create). When none
# answers, it starts one for the run (servers 12345 and 67890 and any other INPUT_SERVER_ID
# names, token emulator-token) and stops it afterwards, its state with it. With the real API
# (https://admin.vps.org/api/v1), put a real token only in your .env, never here.
#
# The job summary goes to the file GITHUB_STEP_SUMMARY names, here or in the environment, else
# to a new file in the temp directory; the last line of the run names it.

# --- Inputs: INPUT_<NAME>, as the runner passes them; every input of action.yml, ------------
# --- in its order, with its default. Empty: the input left out (no id, a generated name) ----`

const RUN_CONTEXT = `# --- The run, as @actions/github's context reads it: generated names and descriptions -------
# --- are made of the repository, commit, workflow, run id and attempt -----------------------
GITHUB_REPOSITORY=acme/shop
GITHUB_REPOSITORY_OWNER=acme
GITHUB_SHA=0123456789abcdef0123456789abcdef01234567
GITHUB_REF=refs/heads/main
GITHUB_REF_NAME=main
GITHUB_EVENT_NAME=workflow_dispatch
GITHUB_WORKFLOW=Local run
GITHUB_JOB=deploy
GITHUB_RUN_ID=1000000001
GITHUB_RUN_NUMBER=1
GITHUB_RUN_ATTEMPT=1
GITHUB_ACTOR=octocat
GITHUB_SERVER_URL=https://github.com
GITHUB_API_URL=https://api.github.com
GITHUB_GRAPHQL_URL=https://api.github.com/graphql
RUNNER_OS=Linux
RUNNER_ARCH=X64
RUNNER_NAME=Local Action
RUNNER_ENVIRONMENT=self-hosted

# true shows the debug log too: each request with its status and time.
ACTIONS_STEP_DEBUG=false`

/** .env.example as action.yml's text makes it. */
export function renderEnvExample(actionYml: string): string {
  const inputs = (parse(actionYml) as { inputs?: Record<string, ActionInput | null> }).inputs ?? {}
  const lines = Object.entries(inputs).flatMap(([name, input]) => inputLines(name, input?.default))
  return `${HEADER}\n${lines.join('\n')}\n\n${RUN_CONTEXT}\n`
}

/** `INPUT_<NAME>=value`, after a line saying why, when the local run sets another value than action.yml's default. */
function inputLines(name: string, actionDefault: ActionInput['default']): string[] {
  // YAML reads `0` as a number and `true` as a boolean; the runner passes their text.
  const fallback = actionDefault === undefined || actionDefault === null ? '' : String(actionDefault)
  const local = LOCAL_RUN_INPUTS[name]
  const value = local?.value ?? fallback
  // dotenv ends a value at `#` and reads quotes and line breaks: none of action.yml's defaults has them.
  if (/[#'"`\n]/.test(value))
    throw new Error(`the value of ${name}, ${JSON.stringify(value)}, cannot be written unquoted to .env.example`)
  const line = `INPUT_${name.toUpperCase()}=${value}`
  if (!local?.why) return [line]
  return [fallback === '' ? `# ${local.why}.` : `# ${local.why}; action.yml's default is ${fallback}.`, line]
}
