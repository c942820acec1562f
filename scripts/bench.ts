// `npm run bench`: the figures of the README's Performance section, each against its budget.
// Prints a table, a short profile of where the start-up time goes, and writes
// bench/results.json. It measures; it asserts nothing, and no test depends on its timings.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fleetServers, startEmulator, type Emulator } from '../test/emulator/server.ts'
import { BUNDLE, ROOT, actionDefaults, runStep } from '../test/support/bundle.ts'
import { nextPollDelay, STEADY_AFTER_MS } from '../src/plan/schedule.ts'

/** At least 15 runs of each, as the budget asks; odd, so the median is one run. */
const COLD_START_RUNS = Number(process.env.BENCH_RUNS ?? 21)
/** Runs whose peak RSS is taken (a second pass: reading it costs a little time). */
const RSS_RUNS = 7
/** Runs of the bundle under the CPU profiler, for the profile printed below the table. */
const PROFILE_RUNS = 5
const DEFAULT_POLL_INTERVAL_MS = 2_000
const SIMULATED_JOBS_MS = [3_000, 60_000, 600_000, 1_800_000]
const REAL_JOB_SECONDS = 3
const SERVER_ID = '12345'
/** Seconds a fleet's snapshots take in the fleet rows: long enough for several status checks. */
const FLEET_JOB_SECONDS = 10
const FLEET_SIZES = [10, 50]
/** A page of a list as an API usually serves it; the emulator's own default (3) exists to test paging. */
const FLEET_PAGE_SIZE = 100
/** The fleet of the request budget: its size, each server's own completed snapshots, and what it keeps. */
const BUDGET_FLEET = { servers: 50, ownSnapshots: 2, keep: 2 }
/** Requests besides the creates and rotation's deletions, at most: reads grow with pages, not servers. */
const BUDGET_OTHER_REQUESTS = 20

interface Figure {
  figure: string
  value: number
  unit: string
  /** A ceiling; none for a reference row. */
  budget?: number
  detail?: string
}

const figures: Figure[] = []
const profile: string[] = []
const emulator = await startEmulator({ jobSeconds: REAL_JOB_SECONDS, lifetimeSeconds: 600 })
try {
  await coldStart(emulator)
  distSize()
  simulatePolling()
  await realWait(emulator)
  await startUpProfile(emulator)
} finally {
  await emulator.close()
}
await fleets()
await fleetRequests()
report()

/** One run of Node: what it runs, and the environment the runner would give it. */
interface Runner {
  name: string
  args: string[]
  env: Record<string, string>
}

/**
 * Each way the action starts, against `node -e 0` and a one-GET `node:http` script (the floor
 * for anything that sends a request), alternating run by run so that all see the same machine.
 * The ratios are of medians within this one run: the machine's speed cancels out of them.
 */
async function coldStart(emulator: Emulator): Promise<void> {
  const list = await stepEnvironment(emulator, { operation: 'list-snapshots', server_id: SERVER_ID })
  const runners: Runner[] = [
    { name: 'bare', args: ['-e', '0'], env: list },
    { name: 'list', args: [BUNDLE], env: list },
    // The post step after a main step that armed nothing, as the runner starts it: STATE_isPost set.
    {
      name: 'post',
      args: [BUNDLE],
      env: {
        ...(await stepEnvironment(emulator, {
          operation: 'create-snapshot',
          server_id: SERVER_ID,
          rollback_on_failure: 'true'
        })),
        STATE_isPost: 'true'
      }
    },
    {
      name: 'create',
      args: [BUNDLE],
      env: await stepEnvironment(emulator, { operation: 'create-snapshot', server_id: SERVER_ID, dry_run: 'true' })
    },
    { name: 'http', args: [httpGetScript()], env: list }
  ]
  const times = new Map(runners.map(runner => [runner.name, [] as number[]]))
  for (let run = 0; run < COLD_START_RUNS; run++) {
    for (const runner of runners) times.get(runner.name)?.push((await timeNode(runner.args, runner.env)).ms)
  }
  const ms = (name: string) => median(times.get(name) ?? [])
  const bare = ms('bare')
  const ratio = (name: string) => round(ms(name) / bare, 2)
  const detail = (name: string) => `${round(ms(name), 1)} ms vs ${round(bare, 1)} ms`
  const rss = async (runner: Runner) => {
    const kb: number[] = []
    for (let run = 0; run < RSS_RUNS; run++) kb.push(await peakRss(runner.args, runner.env))
    return round(median(kb) / 1024, 1)
  }
  const [listRun, postRun, createRun, httpRun] = runners.slice(1)
  figures.push({
    figure: 'one GET (`list-snapshots`) ÷ `node -e 0`',
    value: ratio('list'),
    unit: '×',
    budget: 3.0,
    detail: `${detail('list')}, medians of ${COLD_START_RUNS} alternating runs`
  })
  figures.push({
    figure: 'peak RSS of that run',
    value: await rss(listRun as Runner),
    unit: 'MiB',
    budget: 60,
    detail: `median of ${RSS_RUNS} runs`
  })
  figures.push({
    figure: 'post step with nothing armed ÷ `node -e 0`',
    value: ratio('post'),
    unit: '×',
    budget: 1.6,
    detail: `${detail('post')}; peak RSS ${await rss(postRun as Runner)} MiB`
  })
  figures.push({
    figure: '`create-snapshot` (dry run) ÷ `node -e 0`',
    value: ratio('create'),
    unit: '×',
    budget: 3.5,
    detail: `${detail('create')}; peak RSS ${await rss(createRun as Runner)} MiB`
  })
  figures.push({
    figure: 'for reference: `node -e 0`',
    value: round(bare, 1),
    unit: 'ms',
    detail: `peak RSS ${await rss(runners[0] as Runner)} MiB`
  })
  figures.push({
    figure: 'for reference: one GET with `node:http` ÷ `node -e 0`',
    value: ratio('http'),
    unit: '×',
    detail: `${detail('http')}; peak RSS ${await rss(httpRun as Runner)} MiB: the floor for any step that sends a request`
  })
}

/**
 * The floor: the same GET with Node's own HTTP client and nothing else. CommonJS, as the bundle
 * loads Node's modules: an ES module's `import … from 'node:http'` builds the module's namespace
 * from all its properties, and `http.WebSocket` among them loads Node's own copy of undici.
 */
function httpGetScript(): string {
  const dir = join(ROOT, 'bench', 'reference')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'http-get.cjs')
  writeFileSync(
    path,
    [
      "const { get } = require('node:http')",
      'const url = `${process.env.INPUT_API_URL}/snapshots/?server_id=${process.env.INPUT_SERVER_ID}`',
      'get(url, { headers: { authorization: `Bearer ${process.env.INPUT_API_TOKEN}`, accept: "application/json" } }, response => {',
      "  let body = ''",
      "  response.setEncoding('utf8').on('data', chunk => (body += chunk)).on('end', () => process.stdout.write(`${response.statusCode} ${JSON.parse(body).results.length}\\n`))",
      '}).on("error", error => { console.error(error); process.exitCode = 1 })',
      ''
    ].join('\n')
  )
  return path
}

/** Largest resident set of a run, read by the child itself as it exits. */
async function peakRss(args: string[], env: Record<string, string>): Promise<number> {
  const probe =
    'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss="+process.resourceUsage().maxRSS+"\\n"))'
  return (await timeNode(['--import', probe, ...args], env)).maxRssKb
}

/**
 * Where the time of one GET goes: the bundle under V8's sampling profiler, its samples summed
 * by what they were doing, and the built-in modules it loads that bare Node does not. A
 * regression shows here first: a dependency that brings back undici's fetch adds zlib,
 * stream/web and perf_hooks to the built-ins, and time to the compile of dist/.
 */
async function startUpProfile(emulator: Emulator): Promise<void> {
  const env = await stepEnvironment(emulator, { operation: 'list-snapshots', server_id: SERVER_ID })
  const dir = mkdtempSync(join(tmpdir(), 'vps-action-profile-'))
  const holds = distContents()
  let profiled = 0
  const sampled = async (args: string[]) => {
    const spent = new Map<string, number>()
    for (let run = 0; run < PROFILE_RUNS; run++) {
      const out = join(dir, String(profiled++))
      await timeNode(['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', out, ...args], env)
      for (const file of readdirSync(out)) {
        for (const [what, ms] of profileCosts(JSON.parse(readFileSync(join(out, file), 'utf8')) as CpuProfile, holds))
          spent.set(what, (spent.get(what) ?? 0) + ms / PROFILE_RUNS)
      }
    }
    return spent
  }
  let spent: Map<string, number>
  let bareTotal: number
  try {
    spent = await sampled([BUNDLE])
    bareTotal = [...(await sampled(['-e', '0'])).values()].reduce((sum, ms) => sum + ms, 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const total = [...spent.values()].reduce((sum, ms) => sum + ms, 0)
  profile.push(
    `Where a \`list-snapshots\` run spends its time: CPU samples, mean of ${PROFILE_RUNS} profiled runs, ${round(total, 1)} ms sampled`,
    `(the profiler slows it; \`node -e 0\` samples ${round(bareTotal, 1)} ms under it, nearly all inside Node and V8):`,
    ''
  )
  for (const [what, ms] of [...spent].sort((a, b) => b[1] - a[1]).slice(0, 8))
    profile.push(`  ${round(ms, 1).toFixed(1).padStart(6)} ms  ${what}`)
  const builtIns = async (args: string[]) => {
    const probe =
      'data:text/javascript,process.on("exit",()=>process.stderr.write("modules="+process.moduleLoadList.join(",")+"\\n"))'
    const { stderr } = await timeNode(['--import', probe, ...args], env)
    return new Set(
      (/modules=(.*)/.exec(stderr)?.[1] ?? '')
        .split(',')
        .filter(name => name.startsWith('NativeModule ') && !name.includes('internal/'))
        .map(name => name.slice('NativeModule '.length))
    )
  }
  const bare = await builtIns(['-e', '0'])
  const loaded = [...(await builtIns([BUNDLE]))].filter(name => !bare.has(name)).sort()
  profile.push('', `Built-in modules it loads that \`node -e 0\` does not (${loaded.length}): ${loaded.join(', ')}`)
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[]
  samples: number[]
  timeDeltas: number[]
}

/** A profile's samples, in ms, by what they were doing; dist/ files named by what they hold. */
function profileCosts(cpuProfile: CpuProfile, holds: Map<string, string>): Map<string, number> {
  const byId = new Map(cpuProfile.nodes.map(node => [node.id, node.callFrame]))
  const costs = new Map<string, number>()
  cpuProfile.samples.forEach((id, index) => {
    const { functionName, url } = byId.get(id) ?? { functionName: '', url: '' }
    const file = url.startsWith('file:') && url.includes('/dist/') ? url.slice(url.lastIndexOf('/') + 1) : undefined
    const what =
      functionName === 'compileSourceTextModule'
        ? 'parsing and compiling the files of dist/'
        : functionName === 'compileForInternalLoader'
          ? "loading Node's built-in modules"
          : functionName === '(garbage collector)'
            ? 'garbage collection'
            : functionName === '(program)'
              ? 'V8 and Node outside JavaScript (start-up, compiling)'
              : file === 'index.js'
                ? "dist/index.js: src/'s entry and the bundle's module loader (it counts the compiling of each module as it first runs)"
                : functionName === '(idle)'
                  ? 'waiting (the API, the file system)'
                  : file
                    ? `running dist/${file} (${holds.get(file) ?? '?'})`
                    : url.includes('internal/modules/')
                      ? "Node's module loader (reading, resolving, linking)"
                      : url.startsWith('node:') || !url.includes('/')
                        ? 'inside Node (sockets, HTTP, files, timers, …)'
                        : `other: ${url}`
    costs.set(what, (costs.get(what) ?? 0) + (cpuProfile.timeDeltas[index] ?? 0) / 1000)
  })
  return costs
}

/** What each file of dist/ holds, from the list the build keeps beside its stats: `src/`, or the packages in it. */
function distContents(): Map<string, string> {
  const contents = new Map<string, string>()
  let file = ''
  const list = join(ROOT, 'node_modules', '.cache', 'vps-action-build', 'modules.txt')
  for (const line of (existsSync(list) ? readFileSync(list, 'utf8') : '').split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue
    if (!line.startsWith('  ')) file = line
    else {
      const path = line.trim()
      const what = path.startsWith('src/') ? 'src/' : (/^node_modules\/((@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path)
      const now = contents.get(file)?.split(', ') ?? []
      if (!now.includes(what)) contents.set(file, [...now, what].join(', '))
    }
  }
  return contents
}

function distSize(): void {
  const dist = join(ROOT, 'dist')
  const files = readdirSync(dist).map(name => ({ name, bytes: statSync(join(dist, name)).size }))
  const total = files.reduce((sum, file) => sum + file.bytes, 0)
  figures.push({
    figure: '`dist/` total bytes',
    value: total,
    unit: 'bytes',
    budget: 800_000,
    detail: files.map(file => `${file.name} ${file.bytes}`).join(', ')
  })
}

/** The schedule is a pure function, so the long waits are simulated rather than sat through. */
function simulatePolling(): void {
  for (const jobMs of SIMULATED_JOBS_MS) {
    const { lagMs, checks, busiestMinute } = simulate(jobMs, DEFAULT_POLL_INTERVAL_MS)
    const label = formatJob(jobMs)
    figures.push({
      figure: `lag after completion, ${label} job`,
      value: round(lagMs / 1000, 2),
      unit: 's',
      budget: Math.min(10, Math.max(2, jobMs / 10_000)),
      detail: `${checks} status checks (simulated)`
    })
    if (jobMs > STEADY_AFTER_MS) {
      figures.push({
        figure: `checks per minute after the first, ${label} job`,
        value: busiestMinute,
        unit: 'per min',
        budget: 6,
        detail: 'the busiest minute (simulated)'
      })
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
  const result = await runStep({
    operation: 'create-snapshot',
    server_id: '12345',
    api_url: emulator.url,
    api_token: 'emulator-token'
  })
  if (result.exitCode !== 0) throw new Error(`the real 3 s create failed:\n${result.stdout}`)
  const requests = emulator.requests.slice(from)
  const post = requests.find(request => request.method === 'POST')
  const checks = requests.filter(request => request.method === 'GET' && request.path.endsWith('/snapshots/'))
  const noticed = checks.at(-1)
  if (!post || !noticed) throw new Error('the real 3 s create sent no POST or no status check')
  const lagMs = noticed.at - (post.at + REAL_JOB_SECONDS * 1000)
  figures.push({
    figure: 'lag after completion, 3 s job (real run)',
    value: round(lagMs / 1000, 2),
    unit: 's',
    budget: 2,
    detail: `${checks.length} status checks against the emulator`
  })
  figures.push({
    figure: 'requests for create-snapshot + wait, 3 s job',
    value: requests.length,
    unit: 'requests',
    budget: 5,
    detail: requests.map(request => `${request.method} ${request.path.replace('/api/v1', '')}`).join(', ')
  })
}

/**
 * A fleet against one server, for real: `create-snapshot` of N servers with `max_parallel` N,
 * each snapshot taking FLEET_JOB_SECONDS, at the default poll_interval. The step's time against
 * one server's, and its status checks per minute while waiting against one server's.
 */
async function fleets(): Promise<void> {
  const one = await fleetRun(1)
  for (const size of FLEET_SIZES) {
    const fleet = await fleetRun(size)
    figures.push({
      figure: `fleet of ${size}, ${FLEET_JOB_SECONDS} s jobs: time ÷ one server's`,
      value: round(fleet.ms / one.ms, 2),
      unit: '×',
      budget: 1.3,
      detail: `${round(fleet.ms / 1000, 1)} s vs ${round(one.ms / 1000, 1)} s`
    })
    figures.push({
      figure: `fleet of ${size}: status requests per minute ÷ one server's`,
      value: round(fleet.checksPerMinute / one.checksPerMinute, 2),
      unit: '×',
      budget: 2,
      detail: `${round(fleet.checksPerMinute, 1)} vs ${round(one.checksPerMinute, 1)} a minute while waiting; pages of ${FLEET_PAGE_SIZE}`
    })
  }
}

async function fleetRun(size: number): Promise<{ ms: number; checksPerMinute: number }> {
  const fleet = await startEmulator({
    servers: fleetServers(size),
    jobSeconds: FLEET_JOB_SECONDS,
    pageSize: FLEET_PAGE_SIZE,
    lifetimeSeconds: 300
  })
  try {
    const ids = fleetServers(size).map(server => server.id)
    const result = await runStep({
      operation: 'create-snapshot',
      server_id: ids.join(','),
      max_parallel: String(size),
      api_url: fleet.url,
      api_token: 'emulator-token'
    })
    if (result.exitCode !== 0) throw new Error(`the fleet of ${size} failed:\n${result.stdout}`)
    const posts = fleet.requests.filter(request => request.method === 'POST').map(request => request.at)
    const waitStarted = Math.max(...posts)
    // Status checks: the reads of snapshot lists after the last create was sent.
    const checks = fleet.requests.filter(
      request => request.method === 'GET' && request.path.endsWith('/snapshots/') && request.at > waitStarted
    )
    const waitedMinutes = ((checks.at(-1)?.at ?? waitStarted) - waitStarted) / 60_000
    return { ms: result.durationMs, checksPerMinute: checks.length / Math.max(waitedMinutes, 1 / 60) }
  } finally {
    await fleet.close()
  }
}

/**
 * The requests of a 50-server create with `keep: 2`, each server holding 2 of the action's own
 * completed snapshots, 10 s jobs, all servers at once: 50 POSTs and the 50 DELETEs rotation must
 * send, and every other request, of which the reads before the first POST.
 */
async function fleetRequests(): Promise<void> {
  const ids = fleetServers(BUDGET_FLEET.servers).map(server => server.id)
  const fleet = await startEmulator({
    servers: fleetServers(BUDGET_FLEET.servers),
    jobSeconds: FLEET_JOB_SECONDS,
    pageSize: FLEET_PAGE_SIZE,
    lifetimeSeconds: 300
  })
  try {
    for (const id of ids)
      for (let age = BUDGET_FLEET.ownSnapshots; age > 0; age--)
        fleet.addSnapshot({
          serverId: id,
          name: `gha-old-${id}-${age}`,
          createdAt: new Date(Date.now() - age * 3_600_000).toISOString()
        })
    const result = await runStep({
      operation: 'create-snapshot',
      server_id: ids.join(','),
      max_parallel: String(BUDGET_FLEET.servers),
      keep: String(BUDGET_FLEET.keep),
      api_url: fleet.url,
      api_token: 'emulator-token'
    })
    if (result.exitCode !== 0) throw new Error(`the request-budget fleet failed:\n${result.stdout}`)
    const methods = fleet.requests.map(request => request.method)
    const firstPost = methods.indexOf('POST')
    const count = (method: string) => methods.filter(each => each === method).length
    const other = methods.length - count('POST') - count('DELETE')
    figures.push({
      figure: `fleet of ${BUDGET_FLEET.servers}, keep ${BUDGET_FLEET.keep}: requests besides the POSTs and DELETEs`,
      value: other,
      unit: 'requests',
      budget: BUDGET_OTHER_REQUESTS,
      detail: `${count('POST')} POSTs, ${count('DELETE')} DELETEs, ${firstPost} reads before the first POST, ${other - firstPost} status reads; pages of ${FLEET_PAGE_SIZE}`
    })
  } finally {
    await fleet.close()
  }
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

function timeNode(
  args: string[],
  env: Record<string, string>
): Promise<{ ms: number; maxRssKb: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`))
      resolve({ ms, maxRssKb: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0), stderr })
    })
  })
}

function report(): void {
  const rows = figures.map(figure => ({
    ...figure,
    within: figure.budget === undefined ? undefined : figure.value <= figure.budget
  }))
  console.log(`Node ${process.version}, ${new Date().toISOString()}\n`)
  console.log('| figure | value | budget | within | detail |\n|---|---|---|---|---|')
  for (const row of rows) {
    const budget = row.budget === undefined ? '' : `≤ ${round(row.budget, 2)} ${row.unit}`
    const within = row.within === undefined ? '' : row.within ? 'yes' : 'NO'
    console.log(`| ${row.figure} | ${row.value} ${row.unit} | ${budget} | ${within} | ${row.detail ?? ''} |`)
  }
  console.log(`\n${profile.join('\n')}`)
  mkdirSync(join(ROOT, 'bench'), { recursive: true })
  writeFileSync(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify({ node: process.version, at: new Date().toISOString(), figures: rows, profile }, null, 2)}\n`
  )
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
