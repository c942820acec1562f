// `npm run local [-- file.env]`: the action's run() (src/main.ts, the sources, not dist/) through
// @github/local-action, which reads the inputs and run context from a dotenv file and stands in
// for @actions/core. The dotenv file is the one given, else .env, else .env.example.
// With a loopback INPUT_API_URL, the emulator that answers there is called and keeps its state
// for the next run (`npm run emulator` starts one that lives until stopped); when none answers,
// one is started for this run only and closed afterwards, its state with it. Any other URL is
// called as it is. The job summary goes to the file GITHUB_STEP_SUMMARY names, else to a new one
// in the temp directory; the last line of the output names it.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, stat } from 'node:fs/promises'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEnv, stripVTControlCharacters } from 'node:util'
import {
  DEFAULT_SERVERS,
  DEFAULT_TOKEN,
  startEmulator,
  type Emulator,
  type ServerSeed
} from '../test/emulator/server.ts'
import { seedAccount } from '../test/support/seeds.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LOCAL_ACTION_BIN = fileURLToPath(
  new URL('../node_modules/@github/local-action/bin/local-action.js', import.meta.url)
)
const DEFAULT_ENV_FILES = ['.env', '.env.example']
const DEFAULT_API_URL = 'https://admin.vps.org/api/v1'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
// A run that hangs must not keep the emulator, and so this script, alive for ever.
const EMULATOR_LIFETIME_SECONDS = 900
// The emulator answers at once; a port that takes longer holds something else.
const PROBE_TIMEOUT_MS = 2000

async function main(): Promise<void> {
  const envFile = process.argv[2] ?? DEFAULT_ENV_FILES.map(file => resolve(ROOT, file)).find(file => existsSync(file))
  if (!envFile || !existsSync(envFile))
    throw new Error(`no dotenv file: give one, or create ${DEFAULT_ENV_FILES.join(' or ')}`)
  const env = parseEnv(readFileSync(envFile, 'utf8'))
  const summaryFile = await summaryFileFor(env)
  const emulator = await emulatorFor(env)
  try {
    const failed = await runLocalAction(envFile, summaryFile)
    process.exitCode = failed ? 1 : 0
  } finally {
    await emulator?.close()
    process.stdout.write(`${await summaryLine(summaryFile)}\n`)
  }
}

/** The emulator of this run, when INPUT_API_URL is on loopback and no emulator answers there yet. */
async function emulatorFor(env: NodeJS.Dict<string>): Promise<Emulator | undefined> {
  const apiUrl = new URL(env.INPUT_API_URL || DEFAULT_API_URL)
  if (!LOOPBACK_HOSTS.has(apiUrl.hostname)) return undefined
  if (!apiUrl.port) throw new Error(`INPUT_API_URL ${apiUrl.href} needs a port for the emulator to listen on`)
  if (await answers(apiUrl)) {
    process.stderr.write(
      `[local] calling the emulator that answers at ${apiUrl.href}; its state carries over to the next run\n`
    )
    return undefined
  }
  const named = serverIdsIn(env.INPUT_SERVER_ID)
  const servers = [
    ...DEFAULT_SERVERS,
    ...named.filter(id => !DEFAULT_SERVERS.some(server => server.id === id)).map(serverOf)
  ]
  const emulator = await startEmulator({
    host: apiUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(apiUrl.port),
    servers,
    lifetimeSeconds: EMULATOR_LIFETIME_SECONDS,
    log: line => process.stderr.write(`[emulator] ${line}\n`)
  })
  seedAccount(emulator, named[0]) // the account's own items, where the run shows them
  const ids = servers.map(server => server.id)
  const shown = ids.length > 4 ? `${ids.slice(0, 3).join(', ')}, … (${ids.length})` : ids.join(', ')
  process.stderr.write(
    `[local] no emulator answers at ${apiUrl.href}: started one for this run only (token ${DEFAULT_TOKEN}; servers ${shown}); its state ends with the run, \`npm run emulator\` keeps one\n`
  )
  return emulator
}

/** Whether anything answers HTTP at the URL, whatever its status. */
function answers(url: URL): Promise<boolean> {
  return new Promise(resolve => {
    const request = get(url, { agent: false, timeout: PROBE_TIMEOUT_MS }, response => {
      response.resume()
      resolve(true)
    })
    request.once('timeout', () => request.destroy())
    request.once('error', () => resolve(false))
  })
}

/** The server ids INPUT_SERVER_ID names, so that the emulator of a run has a fleet of any size. */
function serverIdsIn(serverIds: string | undefined): number[] {
  const ids = (serverIds ?? '').split(/[\s,]+/).filter(id => /^[1-9]\d*$/.test(id))
  return [...new Set(ids.map(Number))]
}

function serverOf(id: number): ServerSeed {
  return { id, name: `server-${id}`, status: 'running' }
}

/** The summary file the user named (in the dotenv file or the environment), else a new one in the temp directory. */
async function summaryFileFor(env: NodeJS.Dict<string>): Promise<string> {
  const named = env.GITHUB_STEP_SUMMARY || process.env.GITHUB_STEP_SUMMARY
  // local-action resolves a relative path from its working directory, the project's root.
  if (named) return resolve(ROOT, named)
  return join(await mkdtemp(join(tmpdir(), 'vps-local-')), 'summary.md')
}

async function summaryLine(summaryFile: string): Promise<string> {
  const size = await stat(summaryFile).then(
    file => file.size,
    () => 0
  )
  return size > 0 ? `Job summary: ${summaryFile}` : `Job summary: none written (it would be ${summaryFile})`
}

/**
 * Runs local-action and passes its output through. Resolves true if the step failed: local-action
 * exits 0 even then, so the `::error::` line that `core.setFailed` prints is what tells.
 */
function runLocalAction(envFile: string, summaryFile: string): Promise<boolean> {
  // Asynchronous on purpose: an emulator started for the run answers from this process while the action runs.
  const child = spawn(process.execPath, [LOCAL_ACTION_BIN, 'run', ROOT, 'src/main.ts', resolve(envFile)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GITHUB_STEP_SUMMARY: summaryFile, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }
  })
  let stepFailed = false
  let partialLine = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    process.stdout.write(chunk)
    const lines = (partialLine + chunk).split('\n')
    partialLine = lines.pop() ?? ''
    if (lines.some(line => stripVTControlCharacters(line).startsWith('::error'))) stepFailed = true
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => {
      if (code !== 0) reject(new Error(`local-action exited with ${code}`))
      else resolve(stepFailed)
    })
  })
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run local: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
