// `npm run bench`: the figures of the README's Performance section, each against its budget.
// Prints a table and writes bench/results.json. It measures; it asserts nothing, and no test
// depends on its timings.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, type Emulator } from '../test/emulator/server.ts'
import { BUNDLE, ROOT, actionDefaults, runStep } from '../test/support/bundle.ts'
import { nextPollDelay, STEADY_AFTER_MS } from '../src/plan/schedule.ts'

/** At least 15 runs of each, as the budget asks; odd, so the median is one run. */
const COLD_START_RUNS = Number(process.env.BENCH_RUNS ?? 21)
const DEFAULT_POLL_INTERVAL_MS = 2_000
const SIMULATED_JOBS_MS = [3_000, 60_000, 600_000, 1_800_000]
const REAL_JOB_SECONDS = 3

interface Figure {
  figure: string
  value: number
  unit: string
  budget: number
  /** The budget is a ceiling unless said otherwise. */
  detail?: string
}

const figures: Figure[] = []
const emulator = await startEmulator({ jobSeconds: REAL_JOB_SECONDS, lifetimeSeconds: 600 })
try {
  await coldStart(emulator)
  distSize()
  simulatePolling()
  await realWait(emulator)
} finally {
  await emulator.close()
}
report()

/**
 * The bundle listing snapshots, against `node -e 0`, alternating so all see the same machine.
 * A third runner is a bundle of `@actions/core` alone, built the same way: the floor that any
 * action using the toolkit starts from, for reading the figures above it.
 */
async function coldStart(emulator: Emulator): Promise<void> {
  const env = await stepEnvironment(emulator, { operation: 'list-snapshots', server_id: '12345' })
  const coreOnly = buildCoreOnly()
  const times = { bare: [] as number[], action: [] as number[], coreOnly: [] as number[] }
  for (let run = 0; run < COLD_START_RUNS; run++) {
    times.bare.push((await timeNode(['-e', '0'], env)).ms)
    times.action.push((await timeNode([BUNDLE], env)).ms)
    times.coreOnly.push((await timeNode([coreOnly], env)).ms)
  }
  const [bare, action, core] = [median(times.bare), median(times.action), median(times.coreOnly)]
  figures.push({ figure: 'cold start ÷ `node -e 0`', value: round(action / bare, 2), unit: '×', budget: 2.5, detail: `${round(action, 1)} ms vs ${round(bare, 1)} ms, medians of ${COLD_START_RUNS} alternating runs` })
  figures.push({ figure: 'for reference: `@actions/core` alone ÷ `node -e 0`', value: round(core / bare, 2), unit: '×', budget: 2.5, detail: `${round(core, 1)} ms: the toolkit's own start (it loads all of undici for OIDC)` })
  figures.push({ figure: 'peak RSS of a quick operation', value: round((await peakRss([BUNDLE], env)) / 1024, 1), unit: 'MiB', budget: 64, detail: 'list-snapshots against the emulator' })
  figures.push({ figure: 'for reference: peak RSS of `@actions/core` alone', value: round((await peakRss([coreOnly], env)) / 1024, 1), unit: 'MiB', budget: 64 })
}

/** Largest resident set of a run, read by the child itself as it exits. */
async function peakRss(args: string[], env: Record<string, string>): Promise<number> {
  const probe = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))'
  return (await timeNode(['--import', probe, ...args], env)).maxRssKb
}

/** `import * as core from '@actions/core'; core.info(…)`, bundled and minified by ncc like dist/. */
function buildCoreOnly(): string {
  const dir = join(ROOT, 'bench', 'core-only')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.ts'), "import * as core from '@actions/core'\ncore.info('started')\n")
  execFileSync('ncc', ['build', join(dir, 'index.ts'), '--out', join(dir, 'dist'), '--minify', '--no-source-map-register', '--quiet'], { cwd: ROOT })
  return join(dir, 'dist', 'index.js')
}

function distSize(): void {
  const dist = join(ROOT, 'dist')
  const files = readdirSync(dist).map(name => ({ name, bytes: statSync(join(dist, name)).size }))
  const total = files.reduce((sum, file) => sum + file.bytes, 0)
  figures.push({ figure: '`dist/` total bytes', value: total, unit: 'bytes', budget: 1_000_000, detail: files.map(file => `${file.name} ${file.bytes}`).join(', ') })
}

/** The schedule is a pure function, so the long waits are simulated rather than sat through. */
function simulatePolling(): void {
  for (const jobMs of SIMULATED_JOBS_MS) {
    const { lagMs, checks, busiestMinute } = simulate(jobMs, DEFAULT_POLL_INTERVAL_MS)
    const label = formatJob(jobMs)
    figures.push({ figure: `lag after completion, ${label} job`, value: round(lagMs / 1000, 2), unit: 's', budget: Math.min(10, Math.max(2, jobMs / 10_000)), detail: `${checks} status checks (simulated)` })
    if (jobMs > STEADY_AFTER_MS) {
      figures.push({ figure: `checks per minute after the first, ${label} job`, value: busiestMinute, unit: 'per min', budget: 6, detail: 'the busiest minute (simulated)' })
    }
  }
}

function simulate(jobMs: number, pollIntervalMs: number): { lagMs: number; checks: number; busiestMinute: number } {
  const checkTimes: number[] = []
  let at = 0
  do {
    at += nextPollDelay(at, pollIntervalMs)
    checkTimes.push(at)
  } while (at < jobMs)
  const perMinute = new Map<number, number>()
  for (const time of checkTimes.filter(time => time >= STEADY_AFTER_MS)) {
    const minute = Math.floor(time / 60_000)
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1)
  }
  return { lagMs: at - jobMs, checks: checkTimes.length, busiestMinute: Math.max(0, ...perMinute.values()) }
}

/** The 3 s case for real: the bundle creating a snapshot and waiting, the emulator's clock as witness. */
async function realWait(emulator: Emulator): Promise<void> {
  const from = emulator.requests.length
  const result = await runStep({ operation: 'create-snapshot', server_id: '12345', api_url: emulator.url, api_token: 'emulator-token' })
  if (result.exitCode !== 0) throw new Error(`the real 3 s create failed:\n${result.stdout}`)
  const requests = emulator.requests.slice(from)
  const post = requests.find(request => request.method === 'POST')
  const checks = requests.filter(request => request.method === 'GET' && request.path.endsWith('/snapshots/'))
  const noticed = checks.at(-1)
  if (!post || !noticed) throw new Error('the real 3 s create sent no POST or no status check')
  const lagMs = noticed.at - (post.at + REAL_JOB_SECONDS * 1000)
  figures.push({ figure: 'lag after completion, 3 s job (real run)', value: round(lagMs / 1000, 2), unit: 's', budget: 2, detail: `${checks.length} status checks against the emulator` })
  figures.push({ figure: 'requests for create-snapshot + wait, 3 s job', value: requests.length, unit: 'requests', budget: 5, detail: requests.map(request => `${request.method} ${request.path.replace('/api/v1', '')}`).join(', ') })
}

/** The environment the runner gives a step, with NODE_EXTRA_CA_CERTS unset as on GitHub's runners. */
async function stepEnvironment(emulator: Emulator, inputs: Record<string, string>): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'vps-action-bench-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
    env[name] = join(dir, name)
    writeFileSync(env[name], '')
  }
  const all = { ...(await actionDefaults()), api_url: emulator.url, api_token: 'emulator-token', ...inputs }
  for (const [name, value] of Object.entries(all)) env[`INPUT_${name.toUpperCase()}`] = value
  return env
}

function timeNode(args: string[], env: Record<string, string>): Promise<{ ms: number; maxRssKb: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`))
      resolve({ ms, maxRssKb: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0) })
    })
  })
}

function report(): void {
  const rows = figures.map(figure => ({ ...figure, within: figure.value <= figure.budget }))
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`)
  console.log('| figure | value | budget | within | detail |\n|---|---|---|---|---|')
  for (const row of rows) {
    console.log(`| ${row.figure} | ${row.value} ${row.unit} | ≤ ${round(row.budget, 2)} ${row.unit} | ${row.within ? 'yes' : 'NO'} | ${row.detail ?? ''} |`)
  }
  mkdirSync(join(ROOT, 'bench'), { recursive: true })
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify({ node: process.version, at: new Date().toISOString(), figures: rows }, null, 2)}\n`)
  console.log('\nWritten to bench/results.json.')
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

function round(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits
}

function formatJob(ms: number): string {
  return ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`
}
