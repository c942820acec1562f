// `npm run local` (scripts/local.ts, the sources through @github/local-action) run after run
// against one emulator started as `npm run emulator` starts it: the emulator keeps its state, so
// a create with keep 2, run three times, deletes the first one. And with no emulator answering,
// the script starts one for the run only. Every process is started here and ended here.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_TOKEN, type Snapshot } from './emulator/server.ts'
import { ROOT } from './support/bundle.ts'

const LOCAL = join(ROOT, 'scripts', 'local.ts')
const CLI = join(ROOT, 'test', 'emulator', 'cli.ts')
const SERVER = 12345
// Short jobs and checks keep each run near local-action's own start-up (npm ls, tsx): about 2 s.
const FAST_RUN = { INPUT_KEEP: '2', INPUT_POLL_INTERVAL: '0.1', INPUT_TIMEOUT: '1m' }
const EMULATOR_ARGS = ['--port', '0', '--seed', '--job-seconds', '0.2', '--page-size', '100']
// Only a safety net should the test process die before afterAll: `npm run emulator` has no lifetime.
const EMULATOR_LIFETIME_ARGS = ['--lifetime', '120']
const RUN_TIMEOUT_MS = 30_000

interface LocalRun {
  code: number | null
  stdout: string
  stderr: string
}

let dir: string
const started: ChildProcess[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vps-local-test-'))
})

afterAll(async () => {
  const running = started.filter(child => child.exitCode === null && child.signalCode === null)
  for (const child of running) endGroup(child, 'SIGTERM')
  await Promise.all(running.map(child => new Promise(resolve => child.once('close', resolve))))
  await rm(dir, { recursive: true, force: true })
})

/** Every process of the child's group: local-action and what it starts end with the script. */
function endGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid ?? 0), signal)
  } catch {
    // already gone
  }
}

function start(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  return child
}

function collect(stream: Readable): () => string {
  let text = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => (text += chunk))
  return () => text
}

async function startEmulator(): Promise<string> {
  const child = start([CLI, ...EMULATOR_ARGS, ...EMULATOR_LIFETIME_ARGS])
  const stderr = collect(child.stderr!)
  const stdout = collect(child.stdout!)
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const url = /^VPS_API_URL=(.+)$/m.exec(stdout())?.[1]
      if (url) resolve(url)
    })
    child.once('close', code => reject(new Error(`the emulator ended with ${code}: ${stderr()}`)))
  })
}

/** .env.example as committed, with these values instead of its own. */
async function envFile(name: string, values: Record<string, string>): Promise<string> {
  const example = await readFile(join(ROOT, '.env.example'), 'utf8')
  const lines = example.split('\n').map(line => {
    const key = /^(\w+)=/.exec(line)?.[1]
    return key && key in values ? `${key}=${values[key]}` : line
  })
  const file = join(dir, name)
  await writeFile(file, lines.join('\n'))
  return file
}

/**
 * `npm run local -- file`, as a user in a shell outside any runner: no GITHUB_STEP_SUMMARY, a temp directory of its
 * own.
 */
async function runLocal(file: string): Promise<LocalRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir }
  delete env.GITHUB_STEP_SUMMARY
  const child = start([LOCAL, file], env)
  const stdout = collect(child.stdout!)
  const stderr = collect(child.stderr!)
  const timer = setTimeout(() => endGroup(child, 'SIGKILL'), RUN_TIMEOUT_MS)
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout: stdout(), stderr: stderr() }
}

function summaryFileOf(run: LocalRun): string {
  const last = run.stdout.trimEnd().split('\n').at(-1) ?? ''
  const file = /^Job summary: (\/.+)$/.exec(last)?.[1]
  if (!file) throw new Error(`the last line names no summary file: ${last}\n${run.stderr}`)
  return file
}

async function snapshotsOf(url: string, serverId: number): Promise<Snapshot[]> {
  const response = await fetch(`${url}/snapshots/?server_id=${serverId}`, {
    headers: { authorization: `Bearer ${DEFAULT_TOKEN}` }
  })
  return ((await response.json()) as { results: Snapshot[] }).results
}

describe('npm run local', () => {
  it(
    'against an emulator that keeps its state: three creates with keep 2 leave the two newest, the first deleted',
    { timeout: 90_000 },
    async () => {
      const url = await startEmulator()
      const file = await envFile('keep-2.env', { ...FAST_RUN, INPUT_API_URL: url })
      const actionIds: number[][] = []
      const runs: LocalRun[] = []
      for (let run = 0; run < 3; run++) {
        const result = await runLocal(file)
        expect(result.code, result.stdout + result.stderr).toBe(0)
        expect(result.stderr).toContain(`[local] calling the emulator that answers at ${url}`)
        runs.push(result)
        actionIds.push(
          (await snapshotsOf(url, SERVER))
            .filter(snapshot => snapshot.name.startsWith('gha-'))
            .map(snapshot => snapshot.id)
        )
      }
      const [first, second, third] = actionIds.map(ids => ids[0]!)
      expect(actionIds).toEqual([[first], [second, first], [third, second]])
      const names = (await snapshotsOf(url, SERVER)).map(snapshot => snapshot.name)
      expect(
        names.filter(name => !name.startsWith('gha-')),
        "the account's own snapshots are never rotated"
      ).toEqual(['before-update-snapshot', 'pre-migration-snapshot'])
      expect(runs[2]!.stdout).toMatch(
        new RegExp(`Deleted snapshot ${first} "gha-[^"]+" of \\S+ on server ${SERVER} to keep the newest 2`)
      )

      const summaries = runs.map(summaryFileOf)
      expect(new Set(summaries).size, 'each run its own summary file').toBe(3)
      for (const summary of summaries) expect(summary.startsWith(dir)).toBe(true)
      const lastSummary = await readFile(summaries[2]!, 'utf8')
      expect(lastSummary).toContain('VPS.org create-snapshot: done')
      expect(lastSummary).toContain(`snapshot ${third} "gha-`)
      expect(lastSummary).toContain(`<td>${first}</td>`)
    }
  )

  it(
    'with no emulator answering: starts one for the run only, says so, and closes it',
    { timeout: 60_000 },
    async () => {
      const port = await freeLoopbackPort()
      const url = `http://127.0.0.1:${port}/api/v1`
      const file = await envFile('one-run.env', { ...FAST_RUN, INPUT_API_URL: url, INPUT_DRY_RUN: 'true' })
      const result = await runLocal(file)
      expect(result.code, result.stdout + result.stderr).toBe(0)
      expect(result.stderr).toMatch(
        new RegExp(
          `\\[local\\] no emulator answers at ${url}: started one for this run only .*its state ends with the run`
        )
      )
      expect(await readFile(summaryFileOf(result), 'utf8')).toContain(
        'VPS.org create-snapshot: dry run, nothing changed'
      )
      await expect(fetch(url), 'the emulator of the run is closed with it').rejects.toThrow()
    }
  )
})

/** A port nothing listens on now; loopback only. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise(resolve => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}
