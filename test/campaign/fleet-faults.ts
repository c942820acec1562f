// A seeded fault campaign over fleets. Each run draws from its seed a fleet, an operation and a
// few faults on one server's own requests (or on the shared read of the whole list), runs the
// operation in-process against the emulator on the real clock (the virtual clock would collapse
// the servers' concurrent sleeps into one), and checks the fleet's promises ("Fleets" in the
// action's contract) on what happened: the outputs, the error, the emulator's request log, and
// what the step itself put on the wire. A seed replays its scenario; the interleaving of the
// servers and the retries' jitter are the real clock's, so a replay may differ in its timings.
import diagnostics from 'node:diagnostics_channel'
import { MAX_ATTEMPTS } from '../../src/api/retry.ts'
import { Agent } from '../../src/api/undici.ts'
import { connect } from '../../src/compose.ts'
import { explain, isExpected } from '../../src/errors.ts'
import { CREATE_BACKUP, CREATE_SNAPSHOT } from '../../src/operations/create.ts'
import { LIST_SNAPSHOTS } from '../../src/operations/list.ts'
import { WAIT_SNAPSHOT } from '../../src/operations/wait.ts'
import { Recorder } from '../../src/report.ts'
import type { Tools } from '../../src/tools.ts'
import { API_PREFIX } from '../emulator/routes.ts'
import { rules } from '../support/fixtures.ts'
import {
  DEFAULT_TOKEN,
  fleetServers,
  startEmulator,
  type Emulator,
  type Fault,
  type RecordedRequest
} from '../emulator/server.ts'

// --- the campaign's dimensions ------------------------------------------------------------

export const OPERATIONS = ['create-snapshot', 'create-backup', 'wait-snapshot', 'list-snapshots'] as const
export type Operation = (typeof OPERATIONS)[number]

/** Two servers are the smallest fleet; a dozen is enough to queue behind any max_parallel. */
const FLEET_SIZE = { min: 2, max: 12 } as const
/** Fewer faults than a request has attempts: one request hit by every fault still has one left. */
const MAX_FAULTS = MAX_ATTEMPTS - 1
/**
 * A reset-before on a create is an unknown outcome: the create looks for what it made, then
 * sends again, at most 3 times in all (docs/behaviour.md), so two resets of one server's creates
 * are transient. More exhaust a budget the action documents, which makes them final.
 */
const MAX_RESETS_OF_ONE_SERVERS_CREATES = 2
/** One fault in five falls on the shared read of the whole list, which must never fail anyone. */
const SHARED_READ_SHARE = 0.2
/** One fault of a server's in three is final: enough runs fail a server beside survivors (about two in five). */
const FINAL_SHARE = 1 / 3
/** Rotation off, or keeping two: with up to MAX_OWN_ITEMS own items seeded, rotation deletes. */
const KEEPS = [0, 2] as const
/**
 * Items the action made earlier, per server: with the new one, at most the provider's 5 snapshots, so no create waits
 * for room.
 */
const MAX_OWN_ITEMS = 4
/** 3 crosses page boundaries and makes the whole list costlier than a server's own; 100 keeps it shared. */
const PAGE_SIZES = [3, 100] as const

/** A job lasts a few status checks, so that a run takes a second or three. */
const JOB_SECONDS = 0.3
/** The least poll_interval the action accepts (MIN_POLL_INTERVAL_SECONDS). */
const POLL_INTERVAL_MS = 100
/** Far beyond a run's few seconds: a wait that times out is a finding, never the scenario's design. */
const TIMEOUT_MS = 20_000
/** The step's deadline ends every request and wait; an operation still running after it hangs. */
const HANG_AFTER_MS = TIMEOUT_MS + 10_000
/** A timer may fire a few milliseconds early against Date.now(), and both ends read Date.now(). */
const TIMER_TOLERANCE_MS = 50
/** Seeded items were made before the step: an hour apart, oldest last. */
const HOUR_MS = 60 * 60 * 1000
const NAME_PREFIX = 'gha-'

interface FaultKind {
  label: string
  fault: Fault
}

/** The shortest Retry-After in whole seconds: long enough to see the pause, short enough for a quick run. */
const RETRY_AFTER_SECONDS = 1
/**
 * Faults the retry policy absorbs: a busy API, a rate limit with and without Retry-After, a connection lost before
 * acting.
 */
const TRANSIENT: readonly FaultKind[] = [
  { label: '503', fault: { kind: 'status', status: 503 } },
  {
    label: `429 retry-after ${RETRY_AFTER_SECONDS}`,
    fault: { kind: 'status', status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } }
  },
  { label: '429', fault: { kind: 'status', status: 429 } },
  { label: 'reset-before', fault: { kind: 'reset-before' } }
]
/** Answers no retry changes: on a server's own request, that server fails. */
const FINAL_STATUSES = [403, 404] as const
const FINAL: readonly FaultKind[] = FINAL_STATUSES.map(status => ({
  label: String(status),
  fault: { kind: 'status', status }
}))

/** The routes an operation's servers send their own requests on, and the route of the list it may read whole. */
const ROUTES: Record<Operation, { own: readonly string[]; wholeList: string }> = {
  'create-snapshot': { own: ['GET /snapshots/', 'POST /snapshots/'], wholeList: 'GET /snapshots/' },
  'create-backup': { own: ['GET /backups/', 'POST /backups/'], wholeList: 'GET /backups/' },
  'wait-snapshot': { own: ['GET /snapshots/'], wholeList: 'GET /snapshots/' },
  'list-snapshots': { own: ['GET /snapshots/'], wholeList: 'GET /snapshots/' }
}

// --- the seeded generator -----------------------------------------------------------------

/** mulberry32: a small, fast PRNG of 32 bits of state, so that a seed is a whole scenario. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let mixed = Math.imul(state ^ (state >>> 15), state | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * murmur3's finaliser: mulberry32's first draws from neighbouring seeds are alike, and a
 * campaign's seeds are neighbours (seed, seed + 1, …).
 */
function scrambled(seed: number): number {
  let hash = seed >>> 0
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
  return (hash ^ (hash >>> 16)) >>> 0
}

interface Dice {
  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number
  pick<T>(items: readonly T[]): T
  chance(probability: number): boolean
}

function diceOf(seed: number): Dice {
  const next = mulberry32(scrambled(seed))
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    int,
    pick: items => items[int(0, items.length - 1)] as (typeof items)[number],
    chance: probability => next() < probability
  }
}

interface PlannedFault {
  route: string
  /** The server whose own requests it falls on, or 'none': the shared read of the whole list. */
  on: number | 'none'
  label: string
  fault: Fault
}

interface Scenario {
  seed: number
  operation: Operation
  serverIds: number[]
  maxParallel: number
  /** A create's rotation: keep this many own items (0: never delete). */
  keep: number
  pageSize: number
  /** Items the action made earlier, seeded before the step, per server in the fleet's order. */
  ownItems: number[]
  faults: PlannedFault[]
}

/** The scenario of one run, from its seed alone. */
export function scenarioOf(seed: number): Scenario {
  const dice = diceOf(seed)
  const operation = dice.pick(OPERATIONS)
  const serverIds = fleetServers(dice.int(FLEET_SIZE.min, FLEET_SIZE.max)).map(server => server.id)
  return {
    seed,
    operation,
    serverIds,
    maxParallel: dice.int(1, serverIds.length + 1),
    keep: operation.startsWith('create-') ? dice.pick(KEEPS) : 0,
    pageSize: dice.pick(PAGE_SIZES),
    // A wait's snapshots are made by the step before it; the others find a history.
    ownItems: serverIds.map(() => (operation === 'wait-snapshot' ? 0 : dice.int(0, MAX_OWN_ITEMS))),
    faults: faultsOf(dice, operation, serverIds)
  }
}

function faultsOf(dice: Dice, operation: Operation, serverIds: readonly number[]): PlannedFault[] {
  const faults: PlannedFault[] = []
  const count = dice.int(1, MAX_FAULTS)
  while (faults.length < count) {
    const fault = faultOf(dice, operation, serverIds)
    if (withinCreateBudget([...faults, fault])) faults.push(fault)
  }
  return faults
}

function faultOf(dice: Dice, operation: Operation, serverIds: readonly number[]): PlannedFault {
  const routes = ROUTES[operation]
  if (dice.chance(SHARED_READ_SHARE))
    return { route: routes.wholeList, on: 'none', ...dice.pick([...TRANSIENT, ...FINAL]) }
  const on = dice.pick(serverIds)
  const route = dice.pick(routes.own)
  return { route, on, ...dice.pick(dice.chance(FINAL_SHARE) ? FINAL : TRANSIENT) }
}

function withinCreateBudget(faults: readonly PlannedFault[]): boolean {
  const resets = new Map<number | 'none', number>()
  for (const { route, on, fault } of faults) {
    if (route.startsWith('POST ') && fault.kind === 'reset-before') resets.set(on, (resets.get(on) ?? 0) + 1)
  }
  return [...resets.values()].every(count => count <= MAX_RESETS_OF_ONE_SERVERS_CREATES)
}

/** One line: `create-snapshot on 7 servers (101–107), max_parallel 3, keep 2, page size 3`. */
function describeScenario(scenario: Scenario): string {
  const { operation, serverIds, maxParallel, keep, pageSize } = scenario
  const fleet = `${serverIds.length} servers (${serverIds[0]}–${serverIds.at(-1)})`
  return [
    `${operation} on ${fleet}`,
    `max_parallel ${maxParallel}`,
    ...(operation.startsWith('create-') ? [`keep ${keep}`] : []),
    `page size ${pageSize}`
  ].join(', ')
}

function describeFaults(faults: readonly PlannedFault[]): string {
  return faults
    .map(({ route, on, label }) => `${label} on ${route} ${on === 'none' ? 'of the whole list' : `of server ${on}`}`)
    .join('; ')
}

// --- the runner ---------------------------------------------------------------------------

/** What the step itself sent and heard, seen on undici's diagnostics channels, in their order. */
type WireEvent = { at: number; sent: string } | { at: number; askedToWaitSeconds: number; about: string }

type Outcome = { ended: 'resolved' } | { ended: 'threw'; error: unknown; message: string } | { ended: 'hung' }

interface ResultRow {
  server_id: number
  error?: string
}

interface Run {
  scenario: Scenario
  startedAt: number
  tookMs: number
  outcome: Outcome
  /** The `results` output, parsed; undefined when it was not set. */
  results: ResultRow[] | undefined
  /** The emulator's log of the step's own requests (not those of a step before it). */
  requests: RecordedRequest[]
  wire: WireEvent[]
}

/** Sets the scenario up on a fresh emulator, plays its faults on the step, and records what happened. */
async function runScenario(scenario: Scenario): Promise<Run> {
  const emulator = await startEmulator({
    jobSeconds: JOB_SECONDS,
    pageSize: scenario.pageSize,
    servers: fleetServers(scenario.serverIds.length)
  })
  const agent = new Agent()
  try {
    seedOwnItems(emulator, scenario)
    const waitIds =
      scenario.operation === 'wait-snapshot'
        ? await startSnapshots(scenario, emulator, agent)
        : new Map<number, number>()
    for (const { route, on, fault } of scenario.faults) emulator.injectFor(route, on, fault)
    const from = emulator.requests.length
    const wire = watchTheWire(new URL(emulator.url).origin)
    const recorder = new Recorder()
    const startedAt = Date.now()
    try {
      const outcome = await settle(
        operate(scenario, emulator, connect(connectionTo(emulator), recorder, { dispatcher: agent }), waitIds)
      )
      const results = recorder.outcome.outputs.get('results')
      return {
        scenario,
        startedAt,
        tookMs: Date.now() - startedAt,
        outcome,
        results: results === undefined ? undefined : (JSON.parse(results) as ResultRow[]),
        requests: emulator.requests.slice(from),
        wire: wire.events
      }
    } finally {
      wire.stop()
    }
  } finally {
    await emulator.close()
    await agent.close()
  }
}

function connectionTo(emulator: Emulator) {
  return {
    apiUrl: new URL(emulator.url),
    apiToken: DEFAULT_TOKEN,
    timeoutMs: TIMEOUT_MS,
    pollIntervalMs: POLL_INTERVAL_MS
  }
}

function createSettingsOf(scenario: Scenario, emulator: Emulator, kind: 'snapshot' | 'backup') {
  const marker = `${NAME_PREFIX}campaign-${scenario.seed}`
  return {
    ...connectionTo(emulator),
    dryRun: false,
    serverIds: scenario.serverIds,
    maxParallel: scenario.maxParallel,
    name: kind === 'snapshot' ? marker : undefined,
    namePrefix: NAME_PREFIX,
    marker,
    description: 'Fault campaign',
    wait: true,
    ...rules({ keep: scenario.keep }),
    protect: false,
    rollbackOnFailure: false
  }
}

function seedOwnItems(emulator: Emulator, scenario: Scenario): void {
  scenario.serverIds.forEach((serverId, index) => {
    for (let age = 1; age <= (scenario.ownItems[index] ?? 0); age++) {
      const createdAt = new Date(Date.now() - age * HOUR_MS).toISOString()
      if (scenario.operation === 'create-backup')
        emulator.addBackup({ serverId, backupType: 'manual', createdAt, description: `${NAME_PREFIX}earlier ${age}` })
      else emulator.addSnapshot({ serverId, name: `${NAME_PREFIX}earlier-${age}`, createdAt })
    }
  })
}

/** A wait's snapshots, started by a step before it (`wait: false`), untouched by faults. */
async function startSnapshots(scenario: Scenario, emulator: Emulator, agent: Agent): Promise<Map<number, number>> {
  const recorder = new Recorder()
  const tools = connect(connectionTo(emulator), recorder, { dispatcher: agent })
  await CREATE_SNAPSHOT.run({ ...createSettingsOf(scenario, emulator, 'snapshot'), wait: false, keep: 0 }, tools)
  const ids = JSON.parse(recorder.outcome.outputs.get('snapshot_ids') ?? '{}') as Record<string, number>
  return new Map(Object.entries(ids).map(([serverId, id]) => [Number(serverId), id]))
}

function operate(scenario: Scenario, emulator: Emulator, tools: Tools, waitIds: Map<number, number>): Promise<void> {
  const fleet = {
    ...connectionTo(emulator),
    dryRun: false,
    serverIds: scenario.serverIds,
    maxParallel: scenario.maxParallel
  }
  switch (scenario.operation) {
    case 'create-snapshot':
      return CREATE_SNAPSHOT.run(createSettingsOf(scenario, emulator, 'snapshot'), tools)
    case 'create-backup':
      return CREATE_BACKUP.run(createSettingsOf(scenario, emulator, 'backup'), tools)
    case 'wait-snapshot':
      return WAIT_SNAPSHOT.run({ ...fleet, ids: waitIds, rollbackOnFailure: false }, tools)
    case 'list-snapshots':
      return LIST_SNAPSHOTS.run(fleet, tools)
  }
}

/** Resolves with how the operation ended: resolved, threw, or neither by the time its deadline had long passed. */
async function settle(work: Promise<void>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<Outcome>(resolve => {
    timer = setTimeout(() => resolve({ ended: 'hung' }), HANG_AFTER_MS)
  })
  const ended = work.then(
    (): Outcome => ({ ended: 'resolved' }),
    (error: unknown): Outcome => ({ ended: 'threw', error, message: explain(error) })
  )
  try {
    return await Promise.race([ended, hung])
  } finally {
    clearTimeout(timer)
  }
}

// --- the step's own view of the wire --------------------------------------------------------

const REQUEST_CREATED = 'undici:request:create'
const RESPONSE_HEADERS = 'undici:request:headers'

interface UndiciRequest {
  origin: string | URL
  method: string
  path: string
}

interface UndiciResponse {
  statusCode: number
  /** HTTP/1.1: names and values alternating. */
  headers: Buffer[]
}

/**
 * Every request the step sends to `origin` (each attempt, retries included), and each 429 with a
 * Retry-After it hears, in the order they happen. The emulator's log cannot tell a request sent
 * after the 429 was heard from one already on its way when it was answered; this can.
 */
function watchTheWire(origin: string): { events: WireEvent[]; stop(): void } {
  const events: WireEvent[] = []
  const ours = (request: UndiciRequest) => new URL(String(request.origin)).origin === origin
  const onCreated = (message: unknown) => {
    const { request } = message as { request: UndiciRequest }
    if (ours(request)) events.push({ at: Date.now(), sent: `${request.method} ${belowTheApi(request.path)}` })
  }
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: UndiciRequest; response: UndiciResponse }
    const seconds = retryAfterSecondsOf(response.headers)
    if (ours(request) && response.statusCode === 429 && seconds !== undefined)
      events.push({
        at: Date.now(),
        askedToWaitSeconds: seconds,
        about: `${request.method} ${belowTheApi(request.path)}`
      })
  }
  diagnostics.subscribe(REQUEST_CREATED, onCreated)
  diagnostics.subscribe(RESPONSE_HEADERS, onHeaders)
  return {
    events,
    stop: () => {
      diagnostics.unsubscribe(REQUEST_CREATED, onCreated)
      diagnostics.unsubscribe(RESPONSE_HEADERS, onHeaders)
    }
  }
}

function retryAfterSecondsOf(headers: Buffer[]): number | undefined {
  for (let index = 0; index + 1 < headers.length; index += 2) {
    if (String(headers[index]).toLowerCase() === 'retry-after') return Number(String(headers[index + 1]))
  }
  return undefined
}

// --- the promises a fleet keeps -----------------------------------------------------------

interface FleetPromise {
  name: string
  /** What in the run breaks the promise; nothing when it was kept. */
  brokenBy(run: Run): string[]
}

export const PROMISES: readonly FleetPromise[] = [
  {
    name: "each server's outcome depends on its own faults alone: it fails if and only if a final answer fell on its own request",
    brokenBy: ownFaultsDecide
  },
  {
    name: 'the step fails once, naming exactly the failed servers, and succeeds when none failed',
    brokenBy: oneErrorNamesTheFailed
  },
  { name: 'results lists every server exactly once, in the order given', brokenBy: everyServerOnce },
  { name: 'at most max_parallel servers are worked on at once', brokenBy: maxParallelHeld },
  { name: 'a Retry-After pauses every request of the step, on every server', brokenBy: retryAfterHeld }
]

function ownFaultsDecide(run: Run): string[] {
  const failed = failedServers(run)
  const finalFaults = finalFaultsByServer(run.requests)
  return run.scenario.serverIds.flatMap(serverId => {
    const error = failed.get(serverId)
    const fault = finalFaults.get(serverId)
    if (error !== undefined && fault === undefined)
      return [`server ${serverId} failed, though no final answer fell on its own requests: ${error}`]
    if (error === undefined && fault !== undefined) return [`server ${serverId} did not fail, though ${fault}`]
    return []
  })
}

function oneErrorNamesTheFailed(run: Run): string[] {
  const { outcome } = run
  const failed = [...failedServers(run).keys()]
  if (outcome.ended === 'hung') return [`the operation neither resolved nor threw within ${HANG_AFTER_MS / 1000} s`]
  if (failed.length === 0)
    return outcome.ended === 'threw' ? [`no server failed, yet the operation threw: ${outcome.message}`] : []
  if (outcome.ended === 'resolved') return [`servers ${failed.join(', ')} failed, yet the operation resolved`]
  const problems: string[] = []
  if (!isExpected(outcome.error))
    problems.push(`the operation threw an unexpected error (one with a stack trace): ${outcome.message}`)
  const heading = `${failed.length} of ${run.scenario.serverIds.length} servers failed: `
  if (!outcome.message.startsWith(heading)) problems.push(`the error does not open with "${heading}"`)
  const named = namedAsFailed(outcome.message)
  if (sorted(named).join() !== sorted(failed).join())
    problems.push(`the error names ${named.join(', ') || 'no server'} as failed, where ${failed.join(', ')} failed`)
  return problems.length === 0 ? [] : [...problems, `the error: ${outcome.message}`]
}

function everyServerOnce(run: Run): string[] {
  if (run.results === undefined) return ['the step set no results output']
  const listed = run.results.map(row => row.server_id)
  const given = run.scenario.serverIds
  return listed.join() === given.join()
    ? []
    : [`results lists servers ${listed.join(', ')}, where the step was given ${given.join(', ')}`]
}

/**
 * From the emulator's log: a server is in flight from its first request of the step to its last,
 * by their places in the log (a request about no one server, a read of the whole list, counts for
 * none). Its work may begin before its first request and end after its last, never the reverse.
 */
function maxParallelHeld(run: Run): string[] {
  const spans = spansOf(run.requests)
  for (let place = 0; place < run.requests.length; place++) {
    const inFlight = [...spans]
      .filter(([, span]) => span.first <= place && place <= span.last)
      .map(([serverId]) => serverId)
    if (inFlight.length > run.scenario.maxParallel) {
      const request = run.requests[place] as RecordedRequest
      return [
        `at request ${place} (${requestLine(request)}), servers ${inFlight.join(', ')} were in flight: ${inFlight.length}, above max_parallel ${run.scenario.maxParallel}`
      ]
    }
  }
  return []
}

/**
 * From the step's own view of the wire: once it has heard a 429 asking it to wait N s, it sends
 * nothing, for any server, first tries and retries alike, until N s have passed.
 */
function retryAfterHeld(run: Run): string[] {
  const sends = run.wire.filter(event => 'sent' in event).length
  // Without this, a watch that saw nothing would find every Retry-After held.
  if (sends < run.requests.length)
    return [`the step was seen sending ${sends} requests, where the emulator received ${run.requests.length}`]
  return run.wire.flatMap((event, index) => {
    if (!('askedToWaitSeconds' in event)) return []
    const until = event.at + event.askedToWaitSeconds * 1000 - TIMER_TOLERANCE_MS
    return run.wire
      .slice(index + 1)
      .filter(later => 'sent' in later && later.at < until)
      .map(
        later =>
          `${'sent' in later ? later.sent : ''} was sent ${later.at - event.at} ms after ${event.about} was answered 429, retry-after ${event.askedToWaitSeconds}`
      )
  })
}

function failedServers(run: Run): Map<number, string> {
  return new Map(
    (run.results ?? []).flatMap(row => (row.error === undefined ? [] : [[row.server_id, row.error] as const]))
  )
}

/** Each server's first final answer on its own requests: `403 (injected status) on POST /snapshots/`. */
function finalFaultsByServer(requests: readonly RecordedRequest[]): Map<number, string> {
  const finals = new Map<number, string>()
  for (const request of requests) {
    const status = Number(/^(\d{3}) /.exec(request.fault ?? '')?.[1])
    if (
      request.serverId === undefined ||
      !(FINAL_STATUSES as readonly number[]).includes(status) ||
      finals.has(request.serverId)
    )
      continue
    finals.set(request.serverId, `${request.fault} fell on its ${requestPath(request)}`)
  }
  return finals
}

/** The servers an error names as failed: `server 102: …` and `server 102 has …` after the heading, one per `; `. */
function namedAsFailed(message: string): number[] {
  const list = message.replace(/^\d+ of \d+ servers failed: /, '')
  return [...list.matchAll(/(?:^|; )server (\d+)(?=[: ])/g)].map(match => Number(match[1]))
}

function spansOf(requests: readonly RecordedRequest[]): Map<number, { first: number; last: number }> {
  const spans = new Map<number, { first: number; last: number }>()
  requests.forEach((request, place) => {
    if (request.serverId === undefined) return
    const span = spans.get(request.serverId)
    if (span) span.last = place
    else spans.set(request.serverId, { first: place, last: place })
  })
  return spans
}

function sorted(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b)
}

// --- judging runs, and telling what broke -------------------------------------------------

export interface Judged {
  scenario: Scenario
  run?: Run
  broken: Array<{ promise: string; problems: string[] }>
  /** Why the scenario could not be set up or run at all: the harness's failure, not the action's. */
  couldNotRun?: string
}

/** The run of one seed, and the promises it broke. */
export async function judge(seed: number): Promise<Judged> {
  const scenario = scenarioOf(seed)
  let run: Run
  try {
    run = await runScenario(scenario)
  } catch (error) {
    return {
      scenario,
      broken: [],
      couldNotRun: error instanceof Error ? (error.stack ?? error.message) : String(error)
    }
  }
  const broken = PROMISES.map(promise => ({ promise: promise.name, problems: promise.brokenBy(run) })).filter(
    ({ problems }) => problems.length > 0
  )
  return { scenario, run, broken }
}

/** A campaign's seeds: one after another from the first, so that a run's seed alone replays it. */
export function seedsOf(first: number, runs: number): number[] {
  return Array.from({ length: runs }, (_, index) => first + index)
}

export function passed(judged: Judged): boolean {
  return judged.couldNotRun === undefined && judged.broken.length === 0
}

/** `seed 12: create-snapshot on 7 servers (101–107), …; 2 faults; 1 of 7 failed; 1.4 s: passed`. */
export function summaryLine(judged: Judged): string {
  const { scenario, run } = judged
  const failed = run === undefined ? 0 : failedServers(run).size
  const took = run === undefined ? '' : `; ${(run.tookMs / 1000).toFixed(1)} s`
  const verdict = passed(judged)
    ? 'passed'
    : judged.couldNotRun !== undefined
      ? 'could not run'
      : `FAILED (${judged.broken.length} broken)`
  return `seed ${scenario.seed}: ${describeScenario(scenario)}; ${plural(scenario.faults.length, 'fault')}; ${failed} of ${scenario.serverIds.length} failed${took}: ${verdict}`
}

/** Everything needed to see what went wrong, and to replay it. */
export function reportOf(judged: Judged): string {
  const { scenario, run } = judged
  const lines = [
    `Seed ${scenario.seed}: ${describeScenario(scenario)}`,
    `  own items before the step: ${scenario.serverIds.map((serverId, index) => `${serverId}: ${scenario.ownItems[index]}`).join(', ')}`,
    `  faults: ${describeFaults(scenario.faults)}`,
    `  replay: node scripts/campaign.ts --seed ${scenario.seed} --runs 1`
  ]
  if (judged.couldNotRun !== undefined) return [...lines, `  could not run: ${judged.couldNotRun}`].join('\n')
  for (const { promise, problems } of judged.broken)
    lines.push(`  broke: ${promise}`, ...problems.map(problem => `    - ${problem}`))
  if (run !== undefined) lines.push(...runLines(run))
  return lines.join('\n')
}

function runLines(run: Run): string[] {
  const { outcome } = run
  const ended = outcome.ended === 'threw' ? `threw: ${outcome.message}` : outcome.ended
  const rows = (run.results ?? []).map(
    row => `${row.server_id}${row.error === undefined ? '' : ` failed (${row.error})`}`
  )
  const asked = run.wire.flatMap(event =>
    'askedToWaitSeconds' in event
      ? [`${event.at - run.startedAt} ms: ${event.about} answered 429, retry-after ${event.askedToWaitSeconds}`]
      : []
  )
  return [
    `  the operation ${ended} (after ${run.tookMs} ms)`,
    `  results: ${run.results === undefined ? 'not set' : rows.join(', ')}`,
    ...(asked.length === 0 ? [] : ['  heard by the step:', ...asked.map(line => `    ${line}`)]),
    `  requests of the step, ms from its start (the emulator's log):`,
    ...run.requests.map(
      (request, place) =>
        `    ${String(place).padStart(3)} ${String(request.at - run.startedAt).padStart(6)} ms  ${requestLine(request)}`
    )
  ]
}

/** `GET /snapshots/?server_id=102 (server 102) ← 503 (injected status)`. */
function requestLine(request: RecordedRequest): string {
  const about = request.serverId === undefined ? 'no one server' : `server ${request.serverId}`
  return `${requestPath(request)} (${about})${request.fault === undefined ? '' : ` ← ${request.fault}`}`
}

/** `GET /snapshots/?server_id=102`. */
function requestPath(request: RecordedRequest): string {
  const query = new URLSearchParams(request.query).toString()
  return `${request.method} ${belowTheApi(request.path)}${query ? `?${query}` : ''}`
}

/** `/api/v1/snapshots/?page=2` → `/snapshots/?page=2`. */
function belowTheApi(path: string): string {
  return path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
