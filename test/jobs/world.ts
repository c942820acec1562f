// The world a recipe runs in: one production server on the emulator, or a fleet of them
// (servers 101 to 100 + N, each with a disk of its own), its users writing to every server
// between steps, what each `run:` step of the recipes does to it, the failures a test injects,
// and the checks of each server's end state.
//
// How a failure ('fails') is injected at a step, the way it happens in real life:
// - a `run:` step does what it does first (a deploy or migration that fails half-way has
//   already written to the disk), then exits 1; another `uses:` step (checkout) exits 1;
// - create-* with wait: the provider's job ends `failed` (failNextJob);
// - create-* without wait: the create is refused (HTTP 400, the provider's limit answer);
// - wait-*: the item it awaits ends `failed`. A job's end is fixed when it is created, by an
//   earlier step, so this is arranged when the workflow starts: the next job of that kind
//   fails, which in the recipes is the one the wait awaits (the row checks the wait failed);
// - restore-*: the API refuses the restore (HTTP 400, server not in a valid state);
// - prune-*: the API refuses a delete (HTTP 403).
// On a fleet each of these is one fault for the whole step, so it meets ONE server: the first
// whose request reaches the API (servers are worked on side by side, so which one is not fixed):
// a fleet create fails on the server whose job the provider started first, a fleet restore is
// refused for the server that asked first, and the other servers go on. The checks find that
// server in the emulator (the snapshot that ended `failed`, the server no restore reached).
// Other faults: 'hangs' (a `run:` step never ends: its timeout-minutes fails it, or without one
// the job's timeout cancels the job), 'cancelled' (the job is cancelled while a `run:` step
// runs), 'times out' (a create's item outlasts the step's `timeout`: 2 s for a 2.5 s job, time
// scaled down from minutes), 'rotation refused' (a create with keep: the API refuses to delete
// an older item, HTTP 403: housekeeping, which must not fail the step), 'rollback refused' (at
// a step that arms the rollback: its post step's restore is refused, HTTP 400, for one server,
// the first to ask).
//
// `./scripts/deploy.sh` writes the release to the one server; `./scripts/deploy.sh <id>` to
// server <id> only (in a fleet, a deploy names its server).
import { expect } from 'vitest'
import { DEFAULT_TOKEN, fleetServers, startEmulator, type Emulator } from '../emulator/server.ts'
import {
  bundleAction,
  planWorkflow,
  runWorkflow,
  visibleLog,
  type ActionCall,
  type ActionResult,
  type ActionRunner,
  type JobResult,
  type PlainCall,
  type PlainResult,
  type StepPosition,
  type WorkflowOptions,
  type WorkflowRun
} from './simulator.ts'

export const SERVER_ID = 12345
export const SITE_URL = 'https://shop.example.com'
// Jobs and restores as short as keeps each test quick; a restore's stopping phase (a quarter of
// it) outlasts the first status check, as the minute-long stop of a real one does.
const JOB_SECONDS = 0.3
const RESTORE_SECONDS = 1.6
const SLOW_JOB_SECONDS = 2.5
const SHORT_TIMEOUT = '2s'
// A page holds every item a recipe's server has, as an API's usual page would: the recipes are
// about the job, not about paging (which the client's own tests cover).
const PAGE_SIZE = 100
const LIFETIME_SECONDS = 120

/** What a repository that followed the quick start's setup holds, by name. */
const SETUP_VALUES: Record<string, string> = {
  VPS_API_TOKEN: DEFAULT_TOKEN,
  VPS_SERVER_ID: String(SERVER_ID),
  APP_URL: SITE_URL
}

export type FaultKind =
  | 'fails'
  | 'hangs'
  | 'cancelled'
  | 'times out'
  | 'rotation refused'
  | 'rollback refused'
  /** A fleet restore's second server: its snapshot was deleted by hand before the step. */
  | 'snapshot gone'
  /** A fleet create's wait: a shared status read fails, and the second server's own read is refused. */
  | 'status read refused'

export interface Fault {
  /** The step's key, `<job> › <name>`. */
  at: string
  kind: FaultKind
}

export const fails = (at: string): Fault => ({ at, kind: 'fails' })
export const hangs = (at: string): Fault => ({ at, kind: 'hangs' })
export const cancelledAt = (at: string): Fault => ({ at, kind: 'cancelled' })
export const timesOut = (at: string): Fault => ({ at, kind: 'times out' })
export const rotationRefused = (at: string): Fault => ({ at, kind: 'rotation refused' })
export const rollbackRefused = (at: string): Fault => ({ at, kind: 'rollback refused' })
export const snapshotGone = (at: string): Fault => ({ at, kind: 'snapshot gone' })
export const statusReadRefused = (at: string): Fault => ({ at, kind: 'status read refused' })

/** The end state a row expects. */
export type EndState =
  | { untouched: true }
  /**
   * Restored from what this step made: its snapshot_id or backup_id output; on a fleet, every
   * server from its own entry of the step's snapshot_ids or backup_ids. With `oneRefused`, the
   * restore of one server was refused (see the top of this file): that one is untouched.
   */
  | { restoredFromStep: string; oneRefused?: true }
  | { restoredFromSnapshotNamed: string }

export const UNTOUCHED: EndState = { untouched: true }
export const restoredFrom = (step: string): EndState => ({ restoredFromStep: step })
export const restoredButOne = (step: string): EndState => ({ restoredFromStep: step, oneRefused: true })

interface ActionCallRecord {
  key: string
  phase: 'main' | 'post'
  /** Whether a restore was accepted while the step ran. */
  restored: boolean
  result: ActionResult
}

interface Write {
  label: string
  at: number
}

// --- what each `run:` step of the recipes does ------------------------------------------------

type Effect = (world: World, call: PlainCall, failing: boolean) => PlainResult

/**
 * A step that changes a server (the one its command names last, `deploy.sh 102`, else the
 * world's only server): it writes to that server's disk, and fails if it cannot reach it.
 */
function writesToDisk(what: string): Effect {
  return (world, call, failing) => {
    const named = /\s(\d+)$/.exec(call.command?.trim() ?? '')?.[1]
    const serverId = named === undefined ? world.onlyServer(call.step.key) : Number(named)
    if (!world.serverIds.includes(serverId)) return { exitCode: 1, note: `${what}: there is no server ${serverId}` }
    if (!world.serverIsRunning(serverId))
      return { exitCode: 1, note: `${what}: server ${serverId} is ${world.status(serverId)}` }
    world.write(`${what}${failing ? ', half-way' : ''} (${call.step.key})`, serverId)
    return { exitCode: failing ? 1 : 0 }
  }
}

/** The smoke test answers only at the site's address, and only when every server runs. */
const smokeTest: Effect = (world, call, failing) => {
  const url = /"([^"]*)"\s*$/.exec(call.command ?? '')?.[1] ?? ''
  if (url !== `${SITE_URL}/healthz`) return { exitCode: 1, note: `curl "${url}": nothing answers there` }
  const down = world.serverIds.filter(id => !world.serverIsRunning(id))
  if (down.length > 0)
    return { exitCode: 1, note: `curl "${url}": ${down.map(id => `server ${id} is ${world.status(id)}`).join(', ')}` }
  return { exitCode: failing ? 1 : 0 }
}

const noEffect: Effect = (_world, _call, failing) => ({ exitCode: failing ? 1 : 0 })

/** Every command the recipes run, and what it does; a command not listed here is an error. */
const EFFECTS: Array<[RegExp, Effect]> = [
  [/^\.\/scripts\/deploy\.sh( \d+)?$/, writesToDisk('release')],
  [/^\.\/scripts\/migrate\.sh$/, writesToDisk('migration')],
  [/^curl --fail .*"[^"]*"$/, smokeTest],
  [/^npm (ci|run build|test)$/, noEffect],
  [/^echo "[^"]*"$/, noEffect],
  [/^echo "::error::[^"]*"\nexit 1$/, () => ({ exitCode: 1 })]
]

function effectOf(command: string): Effect {
  const found = EFFECTS.find(([pattern]) => pattern.test(command.trim()))
  if (!found)
    throw new Error(
      `no effect is known for the step \`run: ${command.trim()}\`: say what it does in test/jobs/world.ts`
    )
  return found[1]
}

// --- the world --------------------------------------------------------------------------

export interface RunOptions {
  faults?: Fault[]
  /** Names of the setup (secrets, variables) this repository lacks. */
  missing?: string[]
  inputs?: WorkflowOptions['inputs']
}

export class World {
  readonly emulator: Emulator
  /** The production servers: SERVER_ID alone, or a fleet's 101 to 100 + N. */
  readonly serverIds: readonly number[]
  readonly calls: ActionCallRecord[] = []
  /** Every write to each server's disk, in order, and when: what the disk holds if nothing is restored. */
  private readonly written = new Map<number, Write[]>()
  private faults: Fault[] = []
  private readonly bundle: ActionRunner
  private orders = 0

  private constructor(emulator: Emulator, serverIds: readonly number[]) {
    this.emulator = emulator
    this.serverIds = serverIds
    this.bundle = bundleAction({ apiUrl: emulator.url })
    for (const id of serverIds) this.written.set(id, [])
  }

  /** One production server, SERVER_ID. */
  static async start(): Promise<World> {
    const world = new World(
      await startEmulator({
        jobSeconds: JOB_SECONDS,
        restoreSeconds: RESTORE_SECONDS,
        lifetimeSeconds: LIFETIME_SECONDS,
        pageSize: PAGE_SIZE
      }),
      [SERVER_ID]
    )
    world.write('the site as it was')
    return world
  }

  /** A fleet of `size` production servers, 101 to 100 + size, and no other. */
  static async startFleet(size: number): Promise<World> {
    const servers = fleetServers(size)
    const emulator = await startEmulator({
      servers,
      jobSeconds: JOB_SECONDS,
      restoreSeconds: RESTORE_SECONDS,
      lifetimeSeconds: LIFETIME_SECONDS,
      pageSize: PAGE_SIZE
    })
    const world = new World(
      emulator,
      servers.map(server => server.id)
    )
    for (const id of world.serverIds) world.write(`the site as it was on server ${id}`, id)
    return world
  }

  close(): Promise<void> {
    return this.emulator.close()
  }

  /** The one server of a world that has one; a step that names none in a fleet is an error. */
  onlyServer(what = 'this'): number {
    const [only] = this.serverIds
    if (this.serverIds.length !== 1 || only === undefined)
      throw new Error(`${what} names no server, and the world has ${this.serverIds.length}: say which`)
    return only
  }

  status(serverId = this.onlyServer()): string {
    return this.emulator.server(serverId)?.status ?? 'gone'
  }

  serverIsRunning(serverId = this.onlyServer()): boolean {
    return this.status(serverId) === 'running'
  }

  write(label: string, serverId = this.onlyServer()): void {
    const writes = this.writesTo(serverId)
    this.emulator.write(serverId, label)
    writes.push({ label, at: Date.now() })
  }

  /** Every write to this server's disk, in order. */
  writesOn(serverId = this.onlyServer()): readonly Write[] {
    return this.writesTo(serverId)
  }

  private writesTo(serverId: number): Write[] {
    const writes = this.written.get(serverId)
    if (!writes) throw new Error(`server ${serverId} is not one of this world's: ${this.serverIds.join(', ')}`)
    return writes
  }

  /** Runs a recipe's workflow with this repository's setup, faults and production traffic. */
  async run(
    yaml: string,
    setup: { secrets: string[]; vars: string[] },
    options: RunOptions = {}
  ): Promise<WorkflowRun> {
    const missing = options.missing ?? []
    this.faults = options.faults ?? []
    const pick = (names: string[]) =>
      Object.fromEntries(names.filter(name => !missing.includes(name)).map(name => [name, valueOf(name)]))
    this.arrangeBeforeTheRun(yaml)
    return runWorkflow(yaml, {
      secrets: pick(setup.secrets),
      vars: pick(setup.vars),
      inputs: options.inputs,
      action: call => this.action(call),
      plain: call => this.plain(call),
      beforeStep: () => this.traffic()
    })
  }

  private faultAt(step: StepPosition): Fault | undefined {
    return this.faults.find(fault => fault.at === step.key)
  }

  /** Users keep ordering between steps, on every server that runs: a needless restore loses their orders. */
  private traffic(): void {
    for (const id of this.serverIds) if (this.serverIsRunning(id)) this.write(`order ${++this.orders}`, id)
  }

  private arrangeBeforeTheRun(yaml: string): void {
    const steps = planWorkflow(yaml).steps
    const unknown = this.faults.filter(fault => !steps.some(step => step.key === fault.at))
    if (unknown.length > 0)
      throw new Error(
        `no step is named ${unknown.map(fault => `"${fault.at}"`).join(', ')}; the steps: ${steps.map(step => step.key).join(', ')}`
      )
    for (const step of steps) {
      const fault = this.faultAt(step)
      if (fault?.kind === 'fails' && /^wait-/.test(step.with.operation ?? ''))
        this.emulator.failNextJob(kindOf(step.with.operation))
    }
  }

  private plain(call: PlainCall): PlainResult {
    const fault = this.faultAt(call.step)
    if (call.command === undefined && fault !== undefined && fault.kind !== 'fails')
      throw new Error(`${call.step.key}: a uses: step cannot have the fault "${fault.kind}"`)
    if (call.command === undefined) return { exitCode: fault ? 1 : 0 }
    const effect = effectOf(call.command)
    if (fault === undefined) return effect(this, call, false)
    if (fault.kind === 'fails') return effect(this, call, true)
    const ended = effect(this, call, false)
    if (fault.kind === 'hangs') return { hangs: true, note: ended.note }
    if (fault.kind === 'cancelled') return { cancelled: true, note: ended.note }
    throw new Error(`${call.step.key}: a run: step cannot have the fault "${fault.kind}"`)
  }

  private async action(call: ActionCall): Promise<ActionResult> {
    const stepFault = this.faultAt(call.step)
    if (stepFault?.kind === 'rollback refused' && call.post) this.refuseRestore(call.inputs.operation)
    const fault = call.post || stepFault?.kind === 'rollback refused' ? undefined : stepFault
    if (fault) this.arrange(fault, call)
    const restoresBefore = this.emulator.restores.length
    const overrides: Record<string, string> = fault?.kind === 'times out' ? { timeout: SHORT_TIMEOUT } : {}
    const result = await this.bundle({ ...call, inputs: { ...call.inputs, ...overrides } })
    if (fault?.kind === 'times out') this.emulator.setJobSeconds(JOB_SECONDS)
    this.calls.push({
      key: call.step.key,
      phase: call.post ? 'post' : 'main',
      restored: this.emulator.restores.length > restoresBefore,
      result
    })
    return result
  }

  /** The snapshot the step's map names for the fleet's second server is deleted before it runs. */
  private removeSecondServersSnapshot(call: ActionCall): void {
    const map = JSON.parse(call.inputs.snapshot_id ?? '{}') as Record<string, number>
    const id = map[String(this.serverIds[1])]
    if (id === undefined) throw new Error(`${call.step.key}: no snapshot of server ${this.serverIds[1]} to delete`)
    this.emulator.removeSnapshot(id)
  }

  /** The API refuses the next restore: of a fleet, the first server to ask. */
  private refuseRestore(operation: string | undefined): void {
    const route = kindOf(operation) === 'snapshot' ? 'POST /snapshots/{id}/restore/' : 'POST /servers/{id}/restore/'
    this.emulator.inject(route, {
      kind: 'status',
      status: 400,
      body: { error: 'Server is not in a valid state for restoration.' }
    })
  }

  /** Sets up the emulator so that this step meets its fault (see the top of this file). */
  private arrange(fault: Fault, call: ActionCall): void {
    const operation = call.inputs.operation ?? ''
    const kind = kindOf(operation)
    const items = kind === 'snapshot' ? 'snapshots' : 'backups'
    if (fault.kind === 'times out' && operation.startsWith('create-'))
      return this.emulator.setJobSeconds(SLOW_JOB_SECONDS)
    if (fault.kind === 'rotation refused' && operation.startsWith('create-')) {
      return this.emulator.inject(`DELETE /${items}/{id}/`, {
        kind: 'status',
        status: 403,
        body: { detail: 'You do not have permission to perform this action.' }
      })
    }
    if (fault.kind === 'snapshot gone' && operation === 'restore-snapshot')
      return this.removeSecondServersSnapshot(call)
    if (fault.kind === 'status read refused' && operation.startsWith('create-')) {
      // The fleet's lists are read whole (one page of PAGE_SIZE): the read before the create
      // passes; the first status check's shared read fails, and so does the second server's own
      // read, which stands in for it. The others' own reads answer.
      const refused = {
        kind: 'status',
        status: 403,
        body: { detail: 'You do not have permission to perform this action.' }
      } as const
      this.emulator.injectFor(`GET /${items}/`, 'none', { kind: 'pass' }, refused)
      return this.emulator.injectFor(`GET /${items}/`, this.serverIds[1] ?? 0, refused)
    }
    if (fault.kind !== 'fails') throw new Error(`${call.step.key}: ${operation} cannot have the fault "${fault.kind}"`)
    if (operation.startsWith('create-') && call.inputs.wait !== 'false') return this.emulator.failNextJob(kind)
    if (operation.startsWith('create-')) {
      return this.emulator.inject(`POST /${items}/`, {
        kind: 'status',
        status: 400,
        body: { error: `Limit reached: delete a ${kind} first.` }
      })
    }
    if (operation.startsWith('wait-')) return // arranged when the run started
    if (operation === 'restore-snapshot' || operation === 'restore-backup') return this.refuseRestore(operation)
    if (operation.startsWith('prune-')) {
      return this.emulator.inject(`DELETE /${items}/{id}/`, {
        kind: 'status',
        status: 403,
        body: { detail: 'You do not have permission to perform this action.' }
      })
    }
    throw new Error(`${call.step.key}: no way to fail ${operation} is known`)
  }
}

function valueOf(name: string): string {
  const value = SETUP_VALUES[name]
  if (value === undefined)
    throw new Error(`the setup asks for ${name}, which the test repository does not hold: add it to SETUP_VALUES`)
  return value
}

function kindOf(operation: string | undefined): 'snapshot' | 'backup' {
  if (operation?.endsWith('-snapshot') || operation?.endsWith('-snapshots')) return 'snapshot'
  if (operation?.endsWith('-backup') || operation?.endsWith('-backups')) return 'backup'
  throw new Error(`operation ${operation} names no kind`)
}

// --- the checks ---------------------------------------------------------------------------

export interface Expected {
  jobs: Record<string, JobResult>
  end: EndState
}

type Source = { kind: 'snapshot' | 'backup'; id: number }

/** The server each restore request asked to restore (0 when it names an item that no longer exists). */
function restoreRequestsByServer(world: World): Map<number, number> {
  const serverOfSnapshot = new Map(world.emulator.snapshots().map(snapshot => [snapshot.id, snapshot.server.id]))
  const counts = new Map<number, number>()
  for (const request of world.emulator.requests) {
    if (request.method !== 'POST' || !request.path.endsWith('/restore/')) continue
    const [, what, id] = /\/(snapshots|servers)\/(\d+)\/restore\/$/.exec(request.path) ?? []
    const serverId = what === 'servers' ? Number(id) : (serverOfSnapshot.get(Number(id)) ?? 0)
    counts.set(serverId, (counts.get(serverId) ?? 0) + 1)
  }
  return counts
}

/** The servers of the world that no accepted restore reached. */
export function unrestored(world: World): number[] {
  return world.serverIds.filter(id => !world.emulator.restores.some(restore => restore.serverId === id))
}

/** The item a row says each server was restored from; a server absent from the map is untouched. */
function expectedSources(world: World, run: WorkflowRun, end: EndState, story: string): Map<number, Source> {
  const sources = new Map<number, Source>()
  if ('untouched' in end) return sources
  if ('restoredFromSnapshotNamed' in end) {
    const serverId = world.onlyServer()
    const snapshot = world.emulator
      .snapshots(serverId)
      .find(candidate => candidate.name === end.restoredFromSnapshotNamed)
    if (!snapshot) throw new Error(`no snapshot is named ${end.restoredFromSnapshotNamed}`)
    return sources.set(serverId, { kind: 'snapshot', id: snapshot.id })
  }
  const outputs = run.steps.get(end.restoredFromStep)?.outputs ?? {}
  if (world.serverIds.length === 1) {
    const serverId = world.onlyServer()
    if (outputs.snapshot_id) sources.set(serverId, { kind: 'snapshot', id: Number(outputs.snapshot_id) })
    else if (outputs.backup_id) sources.set(serverId, { kind: 'backup', id: Number(outputs.backup_id) })
    else throw new Error(`${end.restoredFromStep} made nothing to restore from:\n${run.describe()}`)
  } else {
    // A fleet: each server from its own entry of the step's map, which must be an item of that server, the newest.
    const kind = outputs.snapshot_ids ? 'snapshot' : 'backup'
    const map = outputs.snapshot_ids ?? outputs.backup_ids
    if (!map) throw new Error(`${end.restoredFromStep} made nothing to restore from:\n${run.describe()}`)
    const ids = JSON.parse(map) as Record<string, number>
    expect(
      Object.keys(ids).map(Number).toSorted(),
      `the servers of ${end.restoredFromStep}'s ${kind}_ids${story}`
    ).toEqual([...world.serverIds].toSorted())
    for (const serverId of world.serverIds) {
      const newest = (kind === 'snapshot' ? world.emulator.snapshots(serverId) : world.emulator.backups(serverId))[0]
        ?.id
      expect(ids[String(serverId)], `${kind}_ids names server ${serverId}'s own new ${kind}${story}`).toBe(newest)
      sources.set(serverId, { kind, id: Number(ids[String(serverId)]) })
    }
  }
  if (end.oneRefused) {
    const refused = unrestored(world)
    expect(refused, `exactly one server whose restore was refused${story}`).toHaveLength(1)
    for (const serverId of refused) sources.delete(serverId)
  }
  return sources
}

/**
 * The row's jobs and end state on every server, and what holds in every row: at most one
 * restore request per server in the whole workflow, every server running at the end (a restore
 * is waited for until it is back), and a post step that restored nothing printed nothing (in
 * these rows no rollback is armed and then fails: a post step restores, or it has nothing to do).
 */
export function expectOutcome(world: World, run: WorkflowRun, expected: Expected): void {
  const story = `\n${run.describe()}\n`
  const results = Object.fromEntries(Object.entries(run.jobs).map(([id, job]) => [id, job.result]))
  expect(results, `the jobs' results${story}`).toEqual(expected.jobs)
  const sources = expectedSources(world, run, expected.end, story)
  const restores = world.emulator.restores
  expect(
    restores.filter(restore => !world.serverIds.includes(restore.serverId)),
    `restores of servers outside the world${story}`
  ).toEqual([])
  const requests = restoreRequestsByServer(world)
  expect(
    [...requests.values()].reduce((sum, count) => sum + count, 0),
    `restore requests (never two per server)${story}`
  ).toBeLessThanOrEqual(world.serverIds.length)
  for (const serverId of world.serverIds) {
    const on = world.serverIds.length === 1 ? '' : ` (server ${serverId})`
    const source = sources.get(serverId)
    expect(
      restores.filter(restore => restore.serverId === serverId).map(restore => restore.from),
      `restores accepted${on}${story}`
    ).toEqual(source ? [source] : [])
    expect(requests.get(serverId) ?? 0, `restore requests (never two)${on}${story}`).toBeLessThanOrEqual(1)
    expect(world.status(serverId), `the server's status when the workflow ends${on}${story}`).toBe('running')
    const writes = world.writesOn(serverId)
    if (source) {
      // What the item captured, and what users wrote once the server was back.
      const restoredAt = restores.find(restore => restore.serverId === serverId)?.at ?? 0
      const since = writes.filter(write => write.at > restoredAt).map(write => write.label)
      expect(
        world.emulator.disk(serverId),
        `the disk is what ${source.kind} ${source.id} captured${on}${story}`
      ).toEqual([...world.emulator.capturedDisk(source.kind, source.id), ...since])
    } else {
      expect(world.emulator.disk(serverId), `the disk holds every write${on}${story}`).toEqual(
        writes.map(write => write.label)
      )
    }
  }
  for (const call of world.calls.filter(candidate => candidate.phase === 'post' && !candidate.restored)) {
    expect(
      visibleLog(call.result),
      `the post step of ${call.key}, which restored nothing, prints nothing${story}`
    ).toBe('')
    expect(call.result.exitCode, `the post step of ${call.key}${story}`).toBe(0)
  }
}
