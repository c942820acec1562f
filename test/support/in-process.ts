// Operations run in the test's own process against the emulator, on a virtual clock both share:
// a recording reporter instead of the runner's log, and waits of minutes in milliseconds.
import { Agent } from 'undici'
import { test as base } from 'vitest'
import { connect } from '../../src/compose.ts'
import type { CommonSettings } from '../../src/inputs.ts'
import { Recorder } from '../../src/report.ts'
import type { RollbackTarget } from '../../src/state.ts'
import type { Tools } from '../../src/tools.ts'
import { DEFAULT_TOKEN, startEmulator, WEB, type Emulator, type EmulatorOptions } from '../emulator/server.ts'
import { VirtualClock } from './clock.ts'
import { rules } from './fixtures.ts'
import type { CreateSettings } from './one-server.ts'

export { rules }

/** The emulator's two default servers. */
export { DB, WEB } from '../emulator/server.ts'

/** As at VPS.org: a snapshot takes minutes, a restore more. The virtual clock makes them instant. */
export const JOB_SECONDS = 180
export const RESTORE_SECONDS = 300

export interface Step {
  tools: Tools
  recorder: Recorder
  /** What the step armed for its post step. */
  armed: RollbackTarget[]
  settings: CommonSettings
}

export class Api {
  readonly emulator: Emulator
  readonly clock: VirtualClock
  readonly #agents: Agent[] = []

  constructor(emulator: Emulator, clock: VirtualClock) {
    this.emulator = emulator
    this.clock = clock
  }

  /** The tools of one step of the action, with its own deadline and reporter. */
  step(overrides: Partial<CommonSettings> = {}): Step {
    const settings: CommonSettings = {
      apiUrl: new URL(this.emulator.url),
      apiToken: DEFAULT_TOKEN,
      timeoutMs: 30 * 60_000,
      pollIntervalMs: 2_000,
      dryRun: false,
      ...overrides
    }
    const recorder = new Recorder()
    const armed: RollbackTarget[] = []
    const agent = new Agent()
    this.#agents.push(agent)
    const tools = connect(settings, recorder, {
      dispatcher: agent,
      clock: this.clock,
      arm: target => armed.push(target)
    })
    return { tools, recorder, armed, settings }
  }

  /** Write requests since `from` (an index into the emulator's request log), as `METHOD /path/`. */
  writes(from = 0): string[] {
    return this.requests(from).filter(line => !line.startsWith('GET '))
  }

  /** Every request since `from`, as `METHOD /path/?query`, below the API prefix. */
  requests(from = 0): string[] {
    const prefix = new URL(this.emulator.url).pathname
    return this.emulator.requests.slice(from).map(request => {
      const query = new URLSearchParams(request.query).toString()
      return `${request.method} ${request.path.slice(prefix.length)}${query ? `?${query}` : ''}`
    })
  }

  async close(): Promise<void> {
    await this.emulator.close()
    await Promise.all(this.#agents.map(agent => agent.close()))
  }
}

/** A create's settings as a step would read them, with the run context the harness uses. */
export function createSettings(overrides: Partial<CreateSettings> = {}): CreateSettings {
  const marker = 'gha-acme-shop-9876543210-1-a1b2c3'
  const made = {
    serverId: WEB,
    name: marker,
    namePrefix: 'gha-',
    marker,
    description: 'Before deploy',
    wait: true,
    protect: false,
    rollbackOnFailure: false
  }
  return { ...made, ...rules(), ...overrides }
}

/** `test` with an `api`: a fresh emulator on a fresh virtual clock for each test, closed after it. */
export const test = base.extend<{ api: Api; emulatorOptions: EmulatorOptions }>({
  emulatorOptions: [{}, { injected: false }],
  api: async ({ emulatorOptions }, use) => {
    const clock = new VirtualClock()
    const emulator = await startEmulator({
      jobSeconds: JOB_SECONDS,
      restoreSeconds: RESTORE_SECONDS,
      ...emulatorOptions,
      now: () => clock.now()
    })
    const api = new Api(emulator, clock)
    await use(api)
    await api.close()
  }
})

/** The step's outputs, as the runner would read them. */
export function outputsOf(step: Step): Record<string, string> {
  return Object.fromEntries(step.recorder.outcome.outputs)
}

/** The step's lines in the job summary, by level. */
export function summaryOf(step: Step, level?: 'note' | 'notice' | 'warning'): string[] {
  return step.recorder.outcome.lines.filter(line => level === undefined || line.level === level).map(line => line.text)
}

/** Every line the step logged, groups flattened, as `level: text` for notices and warnings. */
export function logOf(step: Step): string[] {
  const flat = (lines: typeof step.recorder.log): string[] =>
    lines.flatMap(line =>
      line.level === 'group'
        ? [`▸ ${line.title}`, ...flat(line.lines)]
        : [line.level === 'info' ? line.text : `${line.level}: ${line.text}`]
    )
  return flat(step.recorder.log)
}

/**
 * Runs `work`, expecting it to fail; returns the error's message (the step's one error line, less the operation's
 * name).
 */
export async function failureOf(work: Promise<unknown>): Promise<string> {
  try {
    await work
  } catch (error) {
    const { explain } = await import('../../src/errors.ts')
    return explain(error)
  }
  throw new Error('expected the operation to fail, and it succeeded')
}
