// Runs a whole workflow as GitHub's runner does, so that a test proves what a job does around
// the action, not only what one step does: jobs in `needs` order with their `if:` and
// `outputs:`; in each job the main steps in order, each with its `if:` (success() unless it
// says otherwise) and `continue-on-error`, then the post steps of the action steps that ran, in
// reverse order, each only if the action's `post-if` holds for the job at that moment, each
// given its own main step's state and inputs. Every `${{ }}` is evaluated by GitHub's own
// evaluator (./expressions.ts).
//
// What a step does is the caller's: a step that uses this action goes to `action` (the
// committed bundle, see bundleAction), every other step to `plain`, which says how it ended.
// Jobs run one after the other in `needs` order: GitHub may run independent jobs side by side,
// which changes when they run, not what they see. Keys the simulator does not model (matrix,
// env, services, reusable workflows, …) are refused, never silently ignored.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { ROOT, RUN_CONTEXT, runStep, type StepResult } from '../support/bundle.ts'
import { condition, interpolate, type Contexts, type Scope, type Status } from './expressions.ts'

export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped'
/** A job's status while it runs, which the status functions read. */
type JobStatus = Exclude<JobResult, 'skipped'>

/** Where a step stands in the workflow, as written (nothing evaluated yet). */
export interface StepPosition {
  job: string
  /** 0-based, within the job. */
  index: number
  /** `<job> › <name>`: the step's name, else its `uses:` or the first line of its `run:`. */
  key: string
  id?: string
  kind: 'action' | 'uses' | 'run'
  uses?: string
  run?: string
  with: Record<string, string>
  if?: string | boolean
  continueOnError: boolean
  timeoutMinutes?: number
}

export interface JobPlan {
  id: string
  needs: string[]
  if?: string | boolean
  outputs: Record<string, string>
  steps: StepPosition[]
}

export interface WorkflowPlan {
  name: string
  /** The events of `on:`, first one first. */
  events: string[]
  /** `on.workflow_dispatch.inputs`, with their types and defaults. */
  dispatchInputs: Record<string, { type?: string; default?: unknown }>
  /** In the order they run: every job after the jobs it needs. */
  jobs: JobPlan[]
  steps: StepPosition[]
}

export interface ActionCall {
  step: StepPosition
  /** The step's `with:`, evaluated. */
  inputs: Record<string, string>
  /** Only for the post step: the state its main step saved. */
  post?: { state: Record<string, string> }
}

export interface ActionResult {
  exitCode: number | null
  outputs: Record<string, string>
  state: Record<string, string>
  stdout: string
  stderr: string
}

export type ActionRunner = (call: ActionCall) => Promise<ActionResult>

export interface PlainCall {
  step: StepPosition
  /** A `run:` step's script, evaluated. */
  command?: string
  /** A `uses:` step's `with:`, evaluated. */
  inputs: Record<string, string>
}

/**
 * How a plain step ended: an exit code; or it hung, which its `timeout-minutes` turns into a
 * failure and, without one, the job's timeout into a cancelled job; or the job was cancelled
 * while it ran (by hand, or by a newer run of the concurrency group).
 */
export type PlainResult =
  | { exitCode: number; outputs?: Record<string, string>; note?: string }
  | { hangs: true; note?: string }
  | { cancelled: true; note?: string }

export type PlainRunner = (call: PlainCall) => PlainResult | Promise<PlainResult>

export interface WorkflowOptions {
  action: ActionRunner
  /** Default: every plain step succeeds, doing nothing. */
  plain?: PlainRunner
  secrets?: Record<string, string>
  vars?: Record<string, string>
  /** `workflow_dispatch` inputs given; the others take their defaults. */
  inputs?: Record<string, string | boolean>
  /** Default: the first event of `on:`. */
  event?: string
  /** Called before each main step that runs: production traffic, an injected fault. */
  beforeStep?: (step: StepPosition) => void | Promise<void>
}

export interface TimelineEntry {
  job: string
  /** The step's key; none for the job's own entry. */
  step?: string
  phase: 'job' | 'main' | 'post'
  result: JobResult
  exitCode?: number | null
  outputs?: Record<string, string>
  /** Why it was skipped, how it hung, … */
  note?: string
  /** An action step's log, debug lines left out. */
  log?: string
}

export interface StepRun {
  position: StepPosition
  /** Evaluated `with:`, for action steps. */
  inputs: Record<string, string>
  outcome: JobResult
  conclusion: JobResult
  outputs: Record<string, string>
  /** For an action step whose main step ran. */
  main?: ActionResult
  post?: ActionResult
}

export interface WorkflowRun {
  plan: WorkflowPlan
  jobs: Record<string, { result: JobResult; outputs: Record<string, string> }>
  /** Every step that was reached, by key. */
  steps: Map<string, StepRun>
  timeline: TimelineEntry[]
  /** The timeline as text, for a failing assertion's message. */
  describe(): string
}

export class SimulatorError extends Error {
  override name = 'SimulatorError'
}

/** How a workflow names this action: the published tag, or the repository itself. */
export const ACTION_USES = /^(vps-org\/snapshot-action@.+|\.\/?)$/

const WORKFLOW_KEYS = new Set(['name', 'on', 'permissions', 'concurrency', 'jobs', 'run-name'])
const JOB_KEYS = new Set([
  'name',
  'runs-on',
  'needs',
  'if',
  'outputs',
  'steps',
  'timeout-minutes',
  'environment',
  'concurrency',
  'permissions'
])
const STEP_KEYS = new Set([
  'name',
  'id',
  'uses',
  'run',
  'with',
  'if',
  'continue-on-error',
  'timeout-minutes',
  'shell',
  'working-directory'
])
const MAX_LOG_LINES = 12

// --- the plan: the workflow as written ---------------------------------------------------

type Yaml = Record<string, unknown>

function refuseUnknownKeys(where: string, value: Yaml, known: Set<string>): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new SimulatorError(`${where}: "${key}" is not simulated`)
  }
}

function asObject(where: string, value: unknown): Yaml {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SimulatorError(`${where} must be a mapping`)
  return value as Yaml
}

/** YAML scalars as the runner sees them in `with:` and `outputs:`: text. */
function texts(where: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {}
  return Object.fromEntries(Object.entries(asObject(where, value)).map(([name, item]) => [name, String(item)]))
}

/** A YAML scalar as the text GitHub reads it: a number or a boolean is written as it was. */
function scalar(where: string, value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new SimulatorError(`${where} must be a string`)
}

function stepPosition(job: string, index: number, raw: unknown, taken: Set<string>): StepPosition {
  const step = asObject(`jobs.${job}.steps[${index}]`, raw)
  refuseUnknownKeys(`jobs.${job}.steps[${index}]`, step, STEP_KEYS)
  const uses = step.uses === undefined ? undefined : scalar(`jobs.${job}.steps[${index}].uses`, step.uses)
  const run = step.run === undefined ? undefined : scalar(`jobs.${job}.steps[${index}].run`, step.run)
  if ((uses === undefined) === (run === undefined))
    throw new SimulatorError(`jobs.${job}.steps[${index}] needs exactly one of uses and run`)
  const label =
    step.name === undefined
      ? (uses ?? run?.split('\n')[0] ?? '')
      : scalar(`jobs.${job}.steps[${index}].name`, step.name)
  let key = `${job} › ${label}`
  for (let copy = 2; taken.has(key); copy++) key = `${job} › ${label} #${copy}`
  taken.add(key)
  const continueOnError = step['continue-on-error'] ?? false
  if (typeof continueOnError !== 'boolean')
    throw new SimulatorError(`${key}: continue-on-error must be true or false here`)
  return {
    job,
    index,
    key,
    run,
    uses,
    continueOnError,
    id: step.id === undefined ? undefined : scalar(`${key}: id`, step.id),
    kind: run !== undefined ? 'run' : ACTION_USES.test(uses ?? '') ? 'action' : 'uses',
    with: texts(`${key}: with`, step.with),
    if: step.if as string | boolean | undefined,
    timeoutMinutes: step['timeout-minutes'] === undefined ? undefined : Number(step['timeout-minutes'])
  }
}

function jobPlan(id: string, raw: unknown): JobPlan {
  const job = asObject(`jobs.${id}`, raw)
  refuseUnknownKeys(`jobs.${id}`, job, JOB_KEYS)
  if (!Array.isArray(job.steps)) throw new SimulatorError(`jobs.${id} has no steps`)
  const taken = new Set<string>()
  return {
    id,
    needs: [job.needs ?? []].flat().map(String),
    if: job.if as string | boolean | undefined,
    outputs: texts(`jobs.${id}.outputs`, job.outputs),
    steps: job.steps.map((step: unknown, index: number) => stepPosition(id, index, step, taken))
  }
}

/** Every job after the jobs it needs, otherwise in the order written. */
function inNeedsOrder(jobs: JobPlan[]): JobPlan[] {
  const byId = new Map(jobs.map(job => [job.id, job]))
  const ordered: JobPlan[] = []
  const visiting = new Set<string>()
  const visit = (job: JobPlan) => {
    if (ordered.includes(job)) return
    if (visiting.has(job.id)) throw new SimulatorError(`jobs.${job.id}: needs form a cycle`)
    visiting.add(job.id)
    for (const need of job.needs) {
      const needed = byId.get(need)
      if (!needed) throw new SimulatorError(`jobs.${job.id} needs "${need}", which does not exist`)
      visit(needed)
    }
    ordered.push(job)
  }
  jobs.forEach(visit)
  return ordered
}

function events(on: unknown): string[] {
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on.map(String)
  return Object.keys(asObject('on', on))
}

export function planWorkflow(yamlText: string): WorkflowPlan {
  const workflow = asObject('the workflow', parseYaml(yamlText))
  refuseUnknownKeys('the workflow', workflow, WORKFLOW_KEYS)
  const on = workflow.on
  const dispatch =
    typeof on === 'object' && on !== null && !Array.isArray(on) ? (on as Yaml).workflow_dispatch : undefined
  const dispatchInputs =
    (typeof dispatch === 'object' && dispatch !== null ? (dispatch as Yaml).inputs : undefined) ?? {}
  const jobs = inNeedsOrder(Object.entries(asObject('jobs', workflow.jobs)).map(([id, job]) => jobPlan(id, job)))
  return {
    name: workflow.name === undefined ? '' : scalar('name', workflow.name),
    events: events(on),
    dispatchInputs: asObject('on.workflow_dispatch.inputs', dispatchInputs) as WorkflowPlan['dispatchInputs'],
    jobs,
    steps: jobs.flatMap(job => job.steps)
  }
}

// --- the run ---------------------------------------------------------------------------

/** The action's `runs.post-if`; GitHub's default is always(). */
function actionPostIf(): string | undefined {
  const action = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    runs: { post?: string; 'post-if'?: string }
  }
  return action.runs.post === undefined ? undefined : (action.runs['post-if'] ?? 'always()')
}

function stepStatus(status: JobStatus): Status {
  return { success: status === 'success', failure: status === 'failure', cancelled: status === 'cancelled' }
}

/** The `inputs` context: the dispatch inputs' defaults, typed as GitHub types them, then those given. */
function inputsContext(plan: WorkflowPlan, given: WorkflowOptions['inputs'], event: string): Record<string, unknown> {
  if (event !== 'workflow_dispatch') return {}
  const values: Record<string, unknown> = {}
  for (const [name, input] of Object.entries(plan.dispatchInputs)) {
    const fallback = input.type === 'boolean' ? false : input.type === 'number' ? 0 : ''
    values[name] = input.default ?? fallback
  }
  for (const [name, value] of Object.entries(given ?? {})) {
    if (!(name in plan.dispatchInputs)) throw new SimulatorError(`the workflow has no input "${name}"`)
    values[name] = plan.dispatchInputs[name]?.type === 'boolean' && typeof value === 'string' ? value === 'true' : value
  }
  return values
}

class Simulation {
  readonly timeline: TimelineEntry[] = []
  readonly steps = new Map<string, StepRun>()
  readonly jobs: WorkflowRun['jobs'] = {}
  private readonly postIf = actionPostIf()
  private readonly plan: WorkflowPlan
  private readonly options: WorkflowOptions
  private readonly base: Contexts

  constructor(plan: WorkflowPlan, options: WorkflowOptions) {
    this.plan = plan
    this.options = options
    const event = options.event ?? plan.events[0] ?? 'push'
    if (!plan.events.includes(event)) throw new SimulatorError(`the workflow does not run on ${event}`)
    this.base = {
      github: {
        event_name: event,
        repository: RUN_CONTEXT.GITHUB_REPOSITORY,
        repository_owner: RUN_CONTEXT.GITHUB_REPOSITORY?.split('/')[0],
        sha: RUN_CONTEXT.GITHUB_SHA,
        run_id: RUN_CONTEXT.GITHUB_RUN_ID,
        run_attempt: RUN_CONTEXT.GITHUB_RUN_ATTEMPT,
        workflow: plan.name,
        ref: 'refs/heads/main',
        ref_name: 'main'
      },
      secrets: options.secrets ?? {},
      vars: options.vars ?? {},
      inputs: inputsContext(plan, options.inputs, event),
      env: {}
    }
  }

  async run(): Promise<void> {
    for (const job of this.plan.jobs) await this.runJob(job)
  }

  private ancestors(job: JobPlan, seen = new Set<string>()): Set<string> {
    for (const need of job.needs) {
      if (seen.has(need)) continue
      seen.add(need)
      const needed = this.plan.jobs.find(candidate => candidate.id === need)
      if (needed) this.ancestors(needed, seen)
    }
    return seen
  }

  private async runJob(job: JobPlan): Promise<void> {
    const results = [...this.ancestors(job)].map(id => this.jobs[id]?.result)
    const needs = Object.fromEntries(
      job.needs.map(id => [id, { result: this.jobs[id]?.result, outputs: this.jobs[id]?.outputs ?? {} }])
    )
    const scope: Scope = {
      contexts: { ...this.base, needs, github: { ...(this.base.github as object), job: job.id } },
      status: {
        success: results.every(result => result === 'success'),
        failure: results.some(result => result === 'failure'),
        cancelled: results.some(result => result === 'cancelled')
      }
    }
    if (!condition(job.if, scope)) {
      this.jobs[job.id] = { result: 'skipped', outputs: {} }
      this.timeline.push({
        job: job.id,
        phase: 'job',
        result: 'skipped',
        note: `if: ${String(job.if ?? 'success()')} is false`
      })
      return
    }
    const run = new JobRun(job, scope.contexts, this.options, this.postIf)
    await run.execute()
    for (const step of run.steps.values()) this.steps.set(step.position.key, step)
    this.timeline.push(...run.timeline)
    this.jobs[job.id] = { result: run.status, outputs: run.outputs() }
    this.timeline.push({ job: job.id, phase: 'job', result: run.status, outputs: this.jobs[job.id]?.outputs })
  }
}

class JobRun {
  status: JobStatus = 'success'
  readonly steps = new Map<string, StepRun>()
  readonly timeline: TimelineEntry[] = []
  private readonly stepsContext: Record<
    string,
    { outputs: Record<string, string>; outcome: JobResult; conclusion: JobResult }
  > = {}
  private readonly job: JobPlan
  private readonly contexts: Contexts
  private readonly options: WorkflowOptions
  private readonly postIf: string | undefined

  constructor(job: JobPlan, contexts: Contexts, options: WorkflowOptions, postIf: string | undefined) {
    this.job = job
    this.contexts = contexts
    this.options = options
    this.postIf = postIf
  }

  private scope(): Scope {
    return { contexts: { ...this.contexts, steps: this.stepsContext }, status: stepStatus(this.status) }
  }

  private evaluated(values: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, interpolate(value, this.scope())]))
  }

  async execute(): Promise<void> {
    for (const position of this.job.steps) await this.mainStep(position)
    const withPost = [...this.steps.values()].filter(step => step.main && this.postIf !== undefined)
    for (const step of withPost.reverse()) await this.postStep(step)
  }

  outputs(): Record<string, string> {
    return this.evaluated(this.job.outputs)
  }

  private record(step: StepRun): void {
    this.steps.set(step.position.key, step)
    if (step.position.id)
      this.stepsContext[step.position.id] = {
        outputs: step.outputs,
        outcome: step.outcome,
        conclusion: step.conclusion
      }
  }

  private async mainStep(position: StepPosition): Promise<void> {
    if (!condition(position.if, this.scope())) {
      this.record({ position, inputs: {}, outcome: 'skipped', conclusion: 'skipped', outputs: {} })
      const note =
        position.if === undefined ? `a step before failed (job ${this.status})` : `if: ${String(position.if)} is false`
      this.timeline.push({ job: position.job, step: position.key, phase: 'main', result: 'skipped', note })
      return
    }
    const inputs = this.evaluated(position.with)
    await this.options.beforeStep?.(position)
    const ended =
      position.kind === 'action' ? await this.actionMain(position, inputs) : await this.plainMain(position, inputs)
    this.record(ended.step)
    this.timeline.push({
      job: position.job,
      step: position.key,
      phase: 'main',
      result: ended.step.outcome,
      exitCode: ended.exitCode,
      outputs: ended.step.outputs,
      note: ended.note,
      log: ended.log
    })
    if (ended.cancelsJob) this.status = 'cancelled'
    else if (ended.step.conclusion === 'failure' && this.status === 'success') this.status = 'failure'
  }

  private async actionMain(position: StepPosition, inputs: Record<string, string>) {
    const main = await this.options.action({ step: position, inputs })
    const outcome: JobResult = main.exitCode === 0 ? 'success' : 'failure'
    const step: StepRun = {
      position,
      inputs,
      outcome,
      conclusion: this.conclusion(position, outcome),
      outputs: main.outputs,
      main
    }
    return { step, exitCode: main.exitCode, log: visibleLog(main), cancelsJob: false, note: undefined }
  }

  private async plainMain(position: StepPosition, inputs: Record<string, string>) {
    const command = position.run === undefined ? undefined : interpolate(position.run, this.scope())
    const ended: PlainResult = await (this.options.plain ?? succeedDoingNothing)({ step: position, command, inputs })
    let outcome: JobResult
    let note = ended.note
    let exitCode: number | undefined
    if ('hangs' in ended) {
      // A step's timeout-minutes fails the step; without one, the job's timeout cancels the job.
      outcome = position.timeoutMinutes === undefined ? 'cancelled' : 'failure'
      note = [
        note,
        position.timeoutMinutes === undefined
          ? 'hung until the job timed out: the job is cancelled'
          : `ran out of its timeout-minutes (${position.timeoutMinutes})`
      ]
        .filter(Boolean)
        .join('; ')
    } else if ('cancelled' in ended) {
      outcome = 'cancelled'
      note = [note, 'the job was cancelled while it ran'].filter(Boolean).join('; ')
    } else {
      exitCode = ended.exitCode
      outcome = ended.exitCode === 0 ? 'success' : 'failure'
    }
    const outputs = 'exitCode' in ended ? (ended.outputs ?? {}) : {}
    const step: StepRun = { position, inputs, outcome, conclusion: this.conclusion(position, outcome), outputs }
    return { step, exitCode, log: undefined, cancelsJob: outcome === 'cancelled', note }
  }

  /** continue-on-error turns a failed step into a successful one for the job. */
  private conclusion(position: StepPosition, outcome: JobResult): JobResult {
    return outcome === 'failure' && position.continueOnError ? 'success' : outcome
  }

  private async postStep(step: StepRun): Promise<void> {
    const { position } = step
    if (!condition(this.postIf, this.scope())) {
      this.timeline.push({
        job: position.job,
        step: position.key,
        phase: 'post',
        result: 'skipped',
        note: `post-if: ${this.postIf} is false (job ${this.status})`
      })
      return
    }
    const post = await this.options.action({
      step: position,
      inputs: step.inputs,
      post: { state: step.main?.state ?? {} }
    })
    step.post = post
    const result: JobResult = post.exitCode === 0 ? 'success' : 'failure'
    if (result === 'failure' && this.status === 'success') this.status = 'failure'
    this.timeline.push({
      job: position.job,
      step: position.key,
      phase: 'post',
      result,
      exitCode: post.exitCode,
      log: visibleLog(post)
    })
  }
}

const succeedDoingNothing: PlainRunner = () => ({ exitCode: 0 })

/** What a person reads in the step's log: no debug lines, no masking commands. */
export function visibleLog(result: Pick<ActionResult, 'stdout' | 'stderr'>): string {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter(line => line.trim() !== '' && !line.startsWith('::debug::') && !line.startsWith('::add-mask::'))
    .join('\n')
}

function describeTimeline(timeline: TimelineEntry[]): string {
  return timeline
    .map(entry => {
      const head =
        entry.phase === 'job'
          ? `job ${entry.job}: ${entry.result}`
          : `  ${entry.phase.padEnd(4)} ${(entry.step ?? '').padEnd(52)} ${entry.result}${entry.exitCode === undefined ? '' : ` (exit ${entry.exitCode})`}`
      const outputs =
        entry.outputs && Object.keys(entry.outputs).length > 0
          ? `\n         outputs: ${Object.entries(entry.outputs)
              .filter(([name]) => name !== 'items')
              .map(([name, value]) => `${name}=${value}`)
              .join(' ')}`
          : ''
      const note = entry.note ? `\n         ${entry.note}` : ''
      const lines = (entry.log ?? '').split('\n').filter(Boolean)
      const log =
        lines
          .slice(0, MAX_LOG_LINES)
          .map(line => `\n         | ${line}`)
          .join('') + (lines.length > MAX_LOG_LINES ? `\n         | … ${lines.length - MAX_LOG_LINES} more lines` : '')
      return `${head}${note}${outputs}${log}`
    })
    .join('\n')
}

export async function runWorkflow(yamlText: string, options: WorkflowOptions): Promise<WorkflowRun> {
  const plan = planWorkflow(yamlText)
  const simulation = new Simulation(plan, options)
  await simulation.run()
  return {
    plan,
    jobs: simulation.jobs,
    steps: simulation.steps,
    timeline: simulation.timeline,
    describe: () => describeTimeline(simulation.timeline)
  }
}

// --- this action's steps, run by the committed bundle ---------------------------------------

export interface BundleOptions {
  /** The emulator's URL: every step's api_url. */
  apiUrl: string
  /** Unless the step sets poll_interval. */
  pollInterval?: string
  /** A hung step fails the test instead of hanging it. */
  killAfterMs?: number
}

const DEFAULT_POLL_INTERVAL = '0.1'
const DEFAULT_KILL_AFTER_MS = 30_000

/** Runs dist/index.js as the runner does (test/support/bundle.ts), on the emulator. */
export function bundleAction(options: BundleOptions): ActionRunner {
  return ({ step, inputs, post }): Promise<StepResult> =>
    runStep(
      {
        ...inputs,
        api_url: options.apiUrl,
        poll_interval: inputs.poll_interval ?? options.pollInterval ?? DEFAULT_POLL_INTERVAL
      },
      { post, env: { GITHUB_JOB: step.job }, killAfterMs: options.killAfterMs ?? DEFAULT_KILL_AFTER_MS }
    )
}
