// `npm run local [-- file.env]`: the action's run() (src/main.ts, the sources, not dist/) through
// @github/local-action, which reads the inputs and run context from a dotenv file and stands in
// for @actions/core. The dotenv file is the one given, else .env, else .env.example. With a
// loopback INPUT_API_URL the emulator of the VPS.org API is started on that host and port for
// the run and closed afterwards; any other URL is called as it is.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseEnv, stripVTControlCharacters } from 'node:util'
import { startEmulator, type Emulator } from '../test/emulator/server.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LOCAL_ACTION_BIN = fileURLToPath(new URL('../node_modules/@github/local-action/bin/local-action.js', import.meta.url))
const DEFAULT_ENV_FILES = ['.env', '.env.example']
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const FALLBACK_SERVER_ID = 12345
const DAY_MS = 24 * 60 * 60 * 1000
// A run that hangs must not keep the emulator, and so this script, alive for ever.
const EMULATOR_LIFETIME_SECONDS = 900

async function main(): Promise<void> {
  const envFile = process.argv[2] ?? DEFAULT_ENV_FILES.map(file => resolve(ROOT, file)).find(file => existsSync(file))
  if (!envFile || !existsSync(envFile)) throw new Error(`no dotenv file: give one, or create ${DEFAULT_ENV_FILES.join(' or ')}`)
  const env = parseEnv(readFileSync(envFile, 'utf8'))
  const emulator = await startEmulatorFor(env)
  try {
    const failed = await runLocalAction(envFile)
    process.exitCode = failed ? 1 : 0
  } finally {
    await emulator?.close()
  }
}

/** The emulator on INPUT_API_URL's host and port, with a little history, if that URL is on loopback. */
async function startEmulatorFor(env: NodeJS.Dict<string>): Promise<Emulator | undefined> {
  const apiUrl = new URL(env.INPUT_API_URL || 'https://admin.vps.org/api/v1')
  if (!LOOPBACK_HOSTS.has(apiUrl.hostname)) return undefined
  if (!apiUrl.port) throw new Error(`INPUT_API_URL ${apiUrl.href} needs a port for the emulator to listen on`)
  const emulator = await startEmulator({
    host: apiUrl.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(apiUrl.port),
    lifetimeSeconds: EMULATOR_LIFETIME_SECONDS,
    log: line => process.stderr.write(`[emulator] ${line}\n`)
  })
  const serverId = Number(env.INPUT_SERVER_ID) || FALLBACK_SERVER_ID
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()
  emulator.addSnapshot({ serverId, name: 'pre-migration-snapshot', createdAt: daysAgo(2), description: 'Made by hand' })
  emulator.addBackup({ serverId, backupType: 'automatic', createdAt: daysAgo(1) })
  process.stderr.write(`[emulator] listening at ${emulator.url} (token emulator-token; servers 12345 and 67890)\n`)
  return emulator
}

/**
 * Runs local-action and passes its output through. Resolves true if the step failed: local-action
 * exits 0 even then, so the `::error::` line that `core.setFailed` prints is what tells.
 */
function runLocalAction(envFile: string): Promise<boolean> {
  // Asynchronous on purpose: the emulator answers from this process while the action runs.
  const child = spawn(process.execPath, [LOCAL_ACTION_BIN, 'run', ROOT, 'src/main.ts', resolve(envFile)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) }
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
