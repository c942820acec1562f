// The world a recipe runs in: one production server on the emulator, its users writing to it
// between steps, what each `run:` step of the recipes does to it, the failures a test injects,
// and the checks of the server's end state.
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
// Other faults: 'hangs' (a `run:` step never ends: its timeout-minutes fails it, or without one
// the job's timeout cancels the job), 'cancelled' (the job is cancelled while a `run:` step
// runs), 'times out' (a create's item outlasts the step's `timeout`: 2 s for a 2.5 s job, time
// scaled down from minutes), 'rotation refused' (a create with keep: the API refuses to delete
// an older item, HTTP 403: housekeeping, which must not fail the step).
import { expect } from 'vitest'
import { DEFAULT_TOKEN, startEmulator, type Emulator } from '../emulator/server.ts'
import {
  bundleAction, planWorkflow, runWorkflow, visibleLog, type ActionCall, type ActionResult, type ActionRunner, type JobResult,
  type PlainCall, type PlainResult, type StepPosition, type WorkflowOptions, type WorkflowRun
} from './simulator.ts'

export const SERVER_ID = 12345
export const SITE_URL = 'https://shop.example.com'
// Jobs and restores as short as keeps each test quick; a restore's stopping phase (a quarter of
// it) outlasts the first status check, as the minute-long stop of a real one does.
const JOB_SECONDS = 0.3
const RESTORE_SECONDS = 1.6
const SLOW_JOB_SECONDS = 2.5
const SHORT_TIMEOUT = '2s'

/** What a repository that followed the quick start's setup holds, by name. */
const SETUP_VALUES: Record<string, string> = { VPS_API_TOKEN: DEFAULT_TOKEN, VPS_SERVER_ID: String(SERVER_ID), APP_URL: SITE_URL }

export type FaultKind = 'fails' | 'hangs' | 'cancelled' | 'times out' | 'rotation refused'

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

/** The end state a row expects. */
export type EndState =
  | { untouched: true }
  /** Restored from what this step made (its snapshot_id or backup_id output). */
  | { restoredFromStep: string }
  | { restoredFromSnapshotNamed: string }

export const UNTOUCHED: EndState = { untouched: true }
export const restoredFrom = (step: string): EndState => ({ restoredFromStep: step })

interface ActionCallRecord {
  key: string
  phase: 'main' | 'post'
  /** Whether a restore was accepted while the step ran. */
  restored: boolean
  result: ActionResult
}

// --- what each `run:` step of the recipes does ------------------------------------------------

type Effect = (world: World, call: PlainCall, failing: boolean) => PlainResult

/** A step that changes the server: it writes to the disk, and fails if it cannot reach it. */
function writesToDisk(what: string): Effect {
  return (world, call, failing) => {
    if (!world.serverIsRunning()) return { exitCode: 1, note: `${what}: the server is ${world.status()}` }
    world.write(`${what}${failing ? ', half-way' : ''} (${call.step.key})`)
    return { exitCode: failing ? 1 : 0 }
  }
}

/** The smoke test answers only at the site's address, and only when the server runs. */
const smokeTest: Effect = (world, call, failing) => {
  const url = /"([^"]*)"\s*$/.exec(call.command ?? '')?.[1] ?? ''
  if (url !== `${SITE_URL}/healthz`) return { exitCode: 1, note: `curl "${url}": nothing answers there` }
  if (!world.serverIsRunning()) return { exitCode: 1, note: `curl "${url}": the server is ${world.status()}` }
  return { exitCode: failing ? 1 : 0 }
}

const noEffect: Effect = (_world, _call, failing) => ({ exitCode: failing ? 1 : 0 })

/** Every command the recipes run, and what it does; a command not listed here is an error. */
const EFFECTS: Array<[RegExp, Effect]> = [
  [/^\.\/scripts\/deploy\.sh$/, writesToDisk('release')],
  [/^\.\/scripts\/migrate\.sh$/, writesToDisk('migration')],
  [/^curl --fail .*"[^"]*"$/, smokeTest],
  [/^npm (ci|run build|test)$/, noEffect],
  [/^echo "[^"]*"$/, noEffect],
  [/^echo "::error::[^"]*"\nexit 1$/, () => ({ exitCode: 1 })]
]

function effectOf(command: string): Effect {
  const found = EFFECTS.find(([pattern]) => pattern.test(command.trim()))
  if (!found) throw new Error(`no effect is known for the step \`run: ${command.trim()}\`: say what it does in test/jobs/world.ts`)
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
  /** Every write to the server's disk, in order, and when: what the disk holds if nothing is restored. */
  readonly writes: Array<{ label: string; at: number }> = []
  readonly calls: ActionCallRecord[] = []
  private faults: Fault[] = []
  private readonly bundle: ActionRunner
  private orders = 0

  private constructor(emulator: Emulator) {
    this.emulator = emulator
    this.bundle = bundleAction({ apiUrl: emulator.url })
  }

  static async start(): Promise<World> {
    const world = new World(await startEmulator({ jobSeconds: JOB_SECONDS, restoreSeconds: RESTORE_SECONDS, lifetimeSeconds: 120 }))
    world.write('the site as it was')
    return world
  }

  close(): Promise<void> {
    return this.emulator.close()
  }

  status(): string {
    return this.emulator.server(SERVER_ID)?.status ?? 'gone'
  }

  serverIsRunning(): boolean {
    return this.status() === 'running'
  }

  write(label: string): void {
    this.emulator.write(SERVER_ID, label)
    this.writes.push({ label, at: Date.now() })
  }

  /** Runs a recipe's workflow with this repository's setup, faults and production traffic. */
  async run(yaml: string, setup: { secrets: string[]; vars: string[] }, options: RunOptions = {}): Promise<WorkflowRun> {
    const missing = options.missing ?? []
    this.faults = options.faults ?? []
    const pick = (names: string[]) => Object.fromEntries(names.filter(name => !missing.includes(name)).map(name => [name, valueOf(name)]))
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

  /** Users keep ordering between steps, while the server runs: a needless restore loses their orders. */
  private traffic(): void {
    if (this.serverIsRunning()) this.write(`order ${++this.orders}`)
  }

  private arrangeBeforeTheRun(yaml: string): void {
    const steps = planWorkflow(yaml).steps
    const unknown = this.faults.filter(fault => !steps.some(step => step.key === fault.at))
    if (unknown.length > 0) throw new Error(`no step is named ${unknown.map(fault => `"${fault.at}"`).join(', ')}; the steps: ${steps.map(step => step.key).join(', ')}`)
    for (const step of steps) {
      const fault = this.faultAt(step)
      if (fault?.kind === 'fails' && /^wait-/.test(step.with.operation ?? '')) this.emulator.failNextJob(kindOf(step.with.operation))
    }
  }

  private plain(call: PlainCall): PlainResult {
    const fault = this.faultAt(call.step)
    if (call.command === undefined && fault !== undefined && fault.kind !== 'fails') throw new Error(`${call.step.key}: a uses: step cannot have the fault "${fault.kind}"`)
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
    const fault = call.post ? undefined : this.faultAt(call.step)
    if (fault) this.arrange(fault, call)
    const restoresBefore = this.emulator.restores.length
    const overrides: Record<string, string> = this.faultAt(call.step)?.kind === 'times out' ? { timeout: SHORT_TIMEOUT } : {}
    const result = await this.bundle({ ...call, inputs: { ...call.inputs, ...overrides } })
    if (fault?.kind === 'times out') this.emulator.setJobSeconds(JOB_SECONDS)
    this.calls.push({ key: call.step.key, phase: call.post ? 'post' : 'main', restored: this.emulator.restores.length > restoresBefore, result })
    return result
  }

  /** Sets up the emulator so that this step meets its fault (see the top of this file). */
  private arrange(fault: Fault, call: ActionCall): void {
    const operation = call.inputs.operation ?? ''
    const kind = kindOf(operation)
    const items = kind === 'snapshot' ? 'snapshots' : 'backups'
    if (fault.kind === 'times out' && operation.startsWith('create-')) return this.emulator.setJobSeconds(SLOW_JOB_SECONDS)
    if (fault.kind === 'rotation refused' && operation.startsWith('create-')) {
      return this.emulator.inject(`DELETE /${items}/{id}/`, { kind: 'status', status: 403, body: { detail: 'You do not have permission to perform this action.' } })
    }
    if (fault.kind !== 'fails') throw new Error(`${call.step.key}: ${operation} cannot have the fault "${fault.kind}"`)
    if (operation.startsWith('create-') && call.inputs.wait !== 'false') return this.emulator.failNextJob(kind)
    if (operation.startsWith('create-')) {
      return this.emulator.inject(`POST /${items}/`, { kind: 'status', status: 400, body: { error: `Limit reached: delete a ${kind} first.` } })
    }
    if (operation.startsWith('wait-')) return // arranged when the run started
    if (operation === 'restore-snapshot' || operation === 'restore-backup') {
      const route = operation === 'restore-snapshot' ? 'POST /snapshots/{id}/restore/' : 'POST /servers/{id}/restore/'
      return this.emulator.inject(route, { kind: 'status', status: 400, body: { error: 'Server is not in a valid state for restoration.' } })
    }
    if (operation.startsWith('prune-')) {
      return this.emulator.inject(`DELETE /${items}/{id}/`, { kind: 'status', status: 403, body: { detail: 'You do not have permission to perform this action.' } })
    }
    throw new Error(`${call.step.key}: no way to fail ${operation} is known`)
  }
}

function valueOf(name: string): string {
  const value = SETUP_VALUES[name]
  if (value === undefined) throw new Error(`the setup asks for ${name}, which the test repository does not hold: add it to SETUP_VALUES`)
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

function restoreRequests(world: World): number {
  return world.emulator.requests.filter(request => request.method === 'POST' && request.path.endsWith('/restore/')).length
}

/** The item a row says the server was restored from. */
function expectedSource(world: World, run: WorkflowRun, end: Exclude<EndState, { untouched: true }>): { kind: 'snapshot' | 'backup'; id: number } {
  if ('restoredFromSnapshotNamed' in end) {
    const snapshot = world.emulator.snapshots(SERVER_ID).find(candidate => candidate.name === end.restoredFromSnapshotNamed)
    if (!snapshot) throw new Error(`no snapshot is named ${end.restoredFromSnapshotNamed}`)
    return { kind: 'snapshot', id: snapshot.id }
  }
  const outputs = run.steps.get(end.restoredFromStep)?.outputs ?? {}
  if (outputs.snapshot_id) return { kind: 'snapshot', id: Number(outputs.snapshot_id) }
  if (outputs.backup_id) return { kind: 'backup', id: Number(outputs.backup_id) }
  throw new Error(`${end.restoredFromStep} made nothing to restore from:\n${run.describe()}`)
}

/**
 * The row's jobs and end state, and what holds in every row: at most one restore request in
 * the whole workflow, the server running at the end (a restore is waited for until it is back),
 * and a post step that restored nothing printed nothing (in these rows no rollback is armed and
 * then fails: a post step restores, or it has nothing to do).
 */
export function expectOutcome(world: World, run: WorkflowRun, expected: Expected): void {
  const story = `\n${run.describe()}\n`
  const results = Object.fromEntries(Object.entries(run.jobs).map(([id, job]) => [id, job.result]))
  expect(results, `the jobs' results${story}`).toEqual(expected.jobs)
  const source = 'untouched' in expected.end ? undefined : expectedSource(world, run, expected.end)
  expect(world.emulator.restores.map(restore => restore.from), `restores accepted${story}`).toEqual(source ? [source] : [])
  expect(restoreRequests(world), `restore requests (never two)${story}`).toBeLessThanOrEqual(1)
  expect(world.status(), `the server's status when the workflow ends${story}`).toBe('running')
  if (source) {
    // What the item captured, and what users wrote once the server was back.
    const restoredAt = world.emulator.restores[0]?.at ?? 0
    const since = world.writes.filter(write => write.at > restoredAt).map(write => write.label)
    expect(world.emulator.disk(SERVER_ID), `the disk is what ${source.kind} ${source.id} captured${story}`).toEqual([...world.emulator.capturedDisk(source.kind, source.id), ...since])
  } else {
    expect(world.emulator.disk(SERVER_ID), `the disk holds every write${story}`).toEqual(world.writes.map(write => write.label))
  }
  for (const call of world.calls.filter(candidate => candidate.phase === 'post' && !candidate.restored)) {
    expect(visibleLog(call.result), `the post step of ${call.key}, which restored nothing, prints nothing${story}`).toBe('')
    expect(call.result.exitCode, `the post step of ${call.key}${story}`).toBe(0)
  }
}
