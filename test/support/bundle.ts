// Runs the committed bundle the way the GitHub runner does: inputs as INPUT_* variables with
// action.yml's defaults applied, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, and
// for the post step the main step's state handed back as STATE_* variables.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { annotations, parseCommandFile } from './commands.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BUNDLE = join(ROOT, 'dist', 'index.js')
/** Where the bundle's compiled code is kept between the tests' runs of it (see runStep). */
const COMPILE_CACHE = join(ROOT, 'node_modules', '.cache', 'vps-action-tests', 'compile-cache')

/** A run context like GitHub's, so that generated names and descriptions are realistic. */
export const RUN_CONTEXT: Record<string, string> = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: '4f1c2a9be07d1e55c2b6a1f0e3d4c5b6a7f8e9d0',
  GITHUB_RUN_ID: '9876543210',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_WORKFLOW: 'Deploy',
  GITHUB_JOB: 'deploy'
}

export interface StepResult {
  exitCode: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  /** What the step saved for a later post step. */
  state: Record<string, string>
  summary: string
  durationMs: number
  /** The `::error::` lines, decoded. */
  errors: string[]
}

export interface StepOptions {
  /** Run as the post step, with this state from the main step. */
  post?: { state: Record<string, string> }
  env?: Record<string, string>
  /** Kill the step after this long (a hung step fails the test rather than hanging it). */
  killAfterMs?: number
}

interface ActionInput {
  default?: string
}

let defaults: Record<string, string> | undefined

/** The defaults action.yml declares, which the runner passes for every input not given. */
export async function actionDefaults(): Promise<Record<string, string>> {
  if (!defaults) {
    const action = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, ActionInput> }
    defaults = Object.fromEntries(
      Object.entries(action.inputs)
        .filter(([, input]) => input.default !== undefined)
        .map(([name, input]) => [name, String(input.default)])
    )
  }
  return defaults
}

export async function runStep(inputs: Record<string, string>, options: StepOptions = {}): Promise<StepResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vps-action-step-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  }
  await Promise.all(Object.values(files).map(file => writeFile(file, '')))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    // Node keeps the bundle's compiled code here between runs: the tests start the bundle some
    // 200 times, and each then skips compiling it again. Only the time differs from a runner's
    // start (checked by npm run bench, which leaves it unset); what the bundle does is the same.
    NODE_COMPILE_CACHE: COMPILE_CACHE,
    ...RUN_CONTEXT,
    ...files
  }
  for (const [name, value] of Object.entries({ ...(await actionDefaults()), ...inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const [name, value] of Object.entries(options.post?.state ?? {})) env[`STATE_${name}`] = value
  Object.assign(env, options.env)
  try {
    const started = Date.now()
    const { exitCode, stdout, stderr } = await spawnNode(env, options.killAfterMs ?? 60_000)
    const durationMs = Date.now() - started
    return {
      exitCode,
      stdout,
      stderr,
      durationMs,
      outputs: parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
      state: parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8')),
      summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      errors: annotations(stdout, 'error')
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function spawnNode(
  env: Record<string, string>,
  killAfterMs: number
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', reject)
    child.on('close', exitCode => {
      clearTimeout(timer)
      resolve({ exitCode, stdout, stderr })
    })
  })
}
