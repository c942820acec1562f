// The job simulator against GitHub's rules for running a workflow, with a stand-in for the
// action (no bundle, no emulator), so that every rule is checked on its own and quickly.
import { describe, expect, it } from 'vitest'
import { callsStatusFunction, condition } from './expressions.ts'
import {
  planWorkflow,
  runWorkflow,
  SimulatorError,
  type ActionCall,
  type ActionResult,
  type PlainCall,
  type PlainResult,
  type WorkflowOptions
} from './simulator.ts'

interface Call {
  key: string
  phase: 'main' | 'post'
  inputs: Record<string, string>
  state?: Record<string, string>
}

/** An action that records its calls, saves `state: <its step key>` and fails where told. */
function fakeAction(calls: Call[], fails: string[] = [], outputs: Record<string, Record<string, string>> = {}) {
  return ({ step, inputs, post }: ActionCall): Promise<ActionResult> => {
    calls.push({ key: step.key, phase: post ? 'post' : 'main', inputs, state: post?.state })
    const failing = fails.includes(`${post ? 'post' : 'main'} ${step.key}`)
    return Promise.resolve({
      exitCode: failing ? 1 : 0,
      outputs: post ? {} : (outputs[step.key] ?? {}),
      state: { from: step.key },
      stdout: '',
      stderr: ''
    })
  }
}

/** Plain steps that fail, hang or are cancelled where told; every command is recorded. */
function plainSteps(commands: string[], endings: Record<string, PlainResult> = {}) {
  return ({ step, command }: PlainCall): PlainResult => {
    if (command !== undefined) commands.push(command)
    return endings[step.key] ?? { exitCode: 0 }
  }
}

const ACTION = 'vps-org/snapshot-action@v1'

const ONE_JOB = `
name: One job
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: A
        uses: ${ACTION}
        with: { operation: create-snapshot, keep: 3, wait: false }
      - uses: actions/checkout@v5
      - name: B
        id: b
        uses: ./
        with: { operation: wait-snapshot }
      - name: Deploy
        id: deploy
        run: ./deploy.sh
      - name: After
        run: echo after
      - name: On failure
        if: failure()
        run: echo failed
      - name: Always
        if: \${{ always() }}
        run: echo always
      - name: On cancel
        if: cancelled()
        run: echo cancelled
`

interface OneJob {
  yaml?: string
  /** `main <key>` or `post <key>` of action steps that fail. */
  fails?: string[]
  endings?: Record<string, PlainResult>
}

async function oneJob({ yaml = ONE_JOB, fails = [], endings = {} }: OneJob = {}) {
  const calls: Call[] = []
  const commands: string[] = []
  const run = await runWorkflow(yaml, { action: fakeAction(calls, fails), plain: plainSteps(commands, endings) })
  return { run, calls, commands }
}

describe('a job', () => {
  it('runs every main step in order and no post step when nothing fails', async () => {
    const { run, calls, commands } = await oneJob()
    expect(calls.map(call => `${call.phase} ${call.key}`)).toEqual(['main deploy › A', 'main deploy › B'])
    expect(commands).toEqual(['./deploy.sh', 'echo after', 'echo always'])
    expect(run.jobs.deploy?.result).toBe('success')
    expect(run.timeline.filter(entry => entry.phase === 'post').map(entry => [entry.step, entry.result])).toEqual([
      ['deploy › B', 'skipped'],
      ['deploy › A', 'skipped']
    ])
  })

  it('gives the action its with: as text, and each post step its own main step’s state and inputs, in reverse order', async () => {
    const { run, calls, commands } = await oneJob({ endings: { 'deploy › Deploy': { exitCode: 1 } } })
    expect(calls).toEqual([
      {
        key: 'deploy › A',
        phase: 'main',
        inputs: { operation: 'create-snapshot', keep: '3', wait: 'false' },
        state: undefined
      },
      { key: 'deploy › B', phase: 'main', inputs: { operation: 'wait-snapshot' }, state: undefined },
      { key: 'deploy › B', phase: 'post', inputs: { operation: 'wait-snapshot' }, state: { from: 'deploy › B' } },
      {
        key: 'deploy › A',
        phase: 'post',
        inputs: { operation: 'create-snapshot', keep: '3', wait: 'false' },
        state: { from: 'deploy › A' }
      }
    ])
    // After the failure only the steps that ask for it run.
    expect(commands).toEqual(['./deploy.sh', 'echo failed', 'echo always'])
    expect(run.jobs.deploy?.result).toBe('failure')
    expect(run.steps.get('deploy › After')?.outcome).toBe('skipped')
  })

  it('runs the post step only of action steps whose main step ran, failed ones included', async () => {
    const { run, calls } = await oneJob({ fails: ['main deploy › A'] })
    expect(calls.map(call => `${call.phase} ${call.key}`)).toEqual(['main deploy › A', 'post deploy › A'])
    expect(run.steps.get('deploy › B')?.outcome).toBe('skipped')
    expect(run.timeline.filter(entry => entry.phase === 'post').map(entry => entry.step)).toEqual(['deploy › A'])
  })

  it('runs the next post step after one that failed, and records the failure', async () => {
    const { run, calls } = await oneJob({ fails: ['post deploy › B'], endings: { 'deploy › Deploy': { exitCode: 1 } } })
    expect(calls.filter(call => call.phase === 'post').map(call => call.key)).toEqual(['deploy › B', 'deploy › A'])
    expect(run.timeline.filter(entry => entry.phase === 'post').map(entry => [entry.step, entry.result])).toEqual([
      ['deploy › B', 'failure'],
      ['deploy › A', 'success']
    ])
    expect(run.jobs.deploy?.result).toBe('failure')
  })

  it('does not fail the job for a step with continue-on-error, which reads outcome failure, conclusion success', async () => {
    const yaml = ONE_JOB.replace('id: deploy\n', 'id: deploy\n        continue-on-error: true\n').replace(
      'run: echo after',
      'run: echo "${{ steps.deploy.outcome }} ${{ steps.deploy.conclusion }}"'
    )
    const { run, calls, commands } = await oneJob({ yaml, endings: { 'deploy › Deploy': { exitCode: 1 } } })
    expect(commands).toEqual(['./deploy.sh', 'echo "failure success"', 'echo always'])
    expect(run.jobs.deploy?.result).toBe('success')
    expect(calls.filter(call => call.phase === 'post')).toEqual([])
  })

  it('fails a hung step that has timeout-minutes, which fails the job', async () => {
    const yaml = ONE_JOB.replace('run: ./deploy.sh', 'run: ./deploy.sh\n        timeout-minutes: 10')
    const { run, calls } = await oneJob({ yaml, endings: { 'deploy › Deploy': { hangs: true } } })
    expect(run.steps.get('deploy › Deploy')?.outcome).toBe('failure')
    expect(run.jobs.deploy?.result).toBe('failure')
    expect(calls.filter(call => call.phase === 'post').map(call => call.key)).toEqual(['deploy › B', 'deploy › A'])
  })

  it('cancels the job for a hung step without timeout-minutes: post-if failure() is then false', async () => {
    const { run, calls, commands } = await oneJob({ endings: { 'deploy › Deploy': { hangs: true } } })
    expect(run.jobs.deploy?.result).toBe('cancelled')
    expect(commands).toEqual(['./deploy.sh', 'echo always', 'echo cancelled'])
    expect(calls.filter(call => call.phase === 'post')).toEqual([])
    expect(run.describe()).toContain('hung until the job timed out: the job is cancelled')
  })

  it('cancels the job when told so while a step runs', async () => {
    const { run, calls } = await oneJob({ endings: { 'deploy › Deploy': { cancelled: true } } })
    expect(run.jobs.deploy?.result).toBe('cancelled')
    expect(run.steps.get('deploy › Deploy')?.outcome).toBe('cancelled')
    expect(calls.filter(call => call.phase === 'post')).toEqual([])
  })

  it('tells every step’s fate in its description', async () => {
    const { run } = await oneJob({ endings: { 'deploy › Deploy': { exitCode: 1, note: 'wrote half' } } })
    const text = run.describe()
    expect(text).toContain('job deploy: failure')
    expect(text).toMatch(/main deploy › Deploy +failure \(exit 1\)\n +wrote half/)
    expect(text).toMatch(/main deploy › After +skipped\n +a step before failed \(job failure\)/)
    expect(text).toMatch(/post deploy › A +success \(exit 0\)/)
  })
})

const JOBS = `
name: Jobs
on:
  workflow_dispatch:
    inputs:
      dry_run: { type: boolean, default: false }
      server_id: { type: string, required: false }
      label: { type: string, default: from-default }
jobs:
  rollback:
    needs: [deploy, smoke]
    if: failure() && needs.deploy.result == 'success'
    runs-on: ubuntu-latest
    steps:
      - run: echo "rollback from \${{ needs.deploy.outputs.id }}"
  smoke:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - name: Check
        run: curl "\${{ vars.APP_URL }}/healthz"
  deploy:
    needs: backup
    runs-on: ubuntu-latest
    outputs:
      id: \${{ steps.make.outputs.made }}
      skipped: \${{ steps.later.outcome }}
    steps:
      - name: Make
        id: make
        run: make
      - name: Later
        id: later
        if: \${{ !inputs.dry_run }}
        run: echo "\${{ inputs.server_id || vars.VPS_SERVER_ID }} \${{ inputs.label }} \${{ secrets.TOKEN }} \${{ github.repository }} \${{ github.event_name }}"
  backup:
    runs-on: ubuntu-latest
    steps:
      - run: backup
  report:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ needs.deploy.outputs.skipped }}"
`

async function jobs(endings: Record<string, PlainResult> = {}, options: Partial<WorkflowOptions> = {}) {
  const commands: string[] = []
  const plain = (call: PlainCall): PlainResult => {
    if (call.step.key === 'deploy › Make') return { exitCode: 0, outputs: { made: '806' } }
    return plainSteps(commands, endings)(call)
  }
  const run = await runWorkflow(JOBS, {
    action: fakeAction([]),
    plain,
    vars: { VPS_SERVER_ID: '12345' },
    secrets: { TOKEN: 't0k' },
    ...options
  })
  return { run, commands, results: Object.fromEntries(Object.entries(run.jobs).map(([id, job]) => [id, job.result])) }
}

describe('jobs', () => {
  it('run after the jobs they need, with job outputs, needs, vars, secrets, inputs and github', async () => {
    const { run, commands, results } = await jobs()
    expect(run.plan.jobs.map(job => job.id)).toEqual(['backup', 'deploy', 'smoke', 'rollback', 'report'])
    expect(commands).toEqual([
      'backup',
      'echo "12345 from-default t0k acme/shop workflow_dispatch"',
      // An undeclared variable is empty, as on GitHub.
      'curl "/healthz"',
      'echo "success"'
    ])
    expect(results).toEqual({
      backup: 'success',
      deploy: 'success',
      smoke: 'success',
      rollback: 'skipped',
      report: 'success'
    })
    expect(run.jobs.deploy?.outputs).toEqual({ id: '806', skipped: 'success' })
  })

  it('take dispatch inputs as given, a boolean one typed, and read a skipped step’s outcome', async () => {
    const { commands, results } = await jobs({}, { inputs: { dry_run: 'true', label: 'given' } })
    expect(commands).toEqual(['backup', 'curl "/healthz"', 'echo "skipped"'])
    expect(results.deploy).toBe('success')
  })

  it('run a job whose if: asks for failure() when a job it needs failed, and skip the others', async () => {
    const { commands, results } = await jobs({ 'smoke › Check': { exitCode: 1 } })
    expect(results).toEqual({
      backup: 'success',
      deploy: 'success',
      smoke: 'failure',
      rollback: 'success',
      report: 'success'
    })
    expect(commands.at(-2)).toBe('echo "rollback from 806"')
  })

  it('skip every job after a failed one, transitively, unless its if: says otherwise', async () => {
    const { results, commands } = await jobs({ 'backup › backup': { exitCode: 1 } })
    // rollback's failure() holds (backup failed, an ancestor) but needs.deploy.result is skipped.
    expect(results).toEqual({
      backup: 'failure',
      deploy: 'skipped',
      smoke: 'skipped',
      rollback: 'skipped',
      report: 'skipped'
    })
    expect(commands).toEqual(['backup'])
  })
})

describe('the plan', () => {
  it('names steps by name, uses or first line of run, and numbers twins', () => {
    const plan = planWorkflow(`
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - run: |
          npm ci
          npm test
      - run: npm ci
      - name: Snap
        uses: ${ACTION}
`)
    expect(plan.steps.map(step => [step.key, step.kind])).toEqual([
      ['build › actions/checkout@v5', 'uses'],
      ['build › npm ci', 'run'],
      ['build › npm ci #2', 'run'],
      ['build › Snap', 'action']
    ])
  })

  it.each([
    ['a matrix', 'strategy:\n      matrix: { n: [1, 2] }\n    ', /jobs.j: "strategy" is not simulated/],
    ['job env', 'env:\n      A: b\n    ', /jobs.j: "env" is not simulated/]
  ])('refuses what it does not simulate: %s', (_case, extra, message) => {
    expect(() => planWorkflow(`on: push\njobs:\n  j:\n    ${extra}runs-on: x\n    steps:\n      - run: a\n`)).toThrow(
      message
    )
  })

  it('refuses needs on a job that does not exist, and a cycle', () => {
    expect(() => planWorkflow('on: push\njobs:\n  a:\n    needs: b\n    steps: [{ run: x }]\n')).toThrow(SimulatorError)
    expect(() =>
      planWorkflow(
        'on: push\njobs:\n  a:\n    needs: b\n    steps: [{ run: x }]\n  b:\n    needs: a\n    steps: [{ run: x }]\n'
      )
    ).toThrow(/cycle/)
  })
})

describe('conditions', () => {
  const status = (job: 'success' | 'failure' | 'cancelled') => ({
    success: job === 'success',
    failure: job === 'failure',
    cancelled: job === 'cancelled'
  })
  const scope = (job: 'success' | 'failure' | 'cancelled') => ({
    contexts: { inputs: { dry_run: false }, vars: {} },
    status: status(job)
  })

  it.each<[string | boolean | undefined, 'success' | 'failure' | 'cancelled', boolean]>([
    [undefined, 'success', true],
    [undefined, 'failure', false],
    ['${{ !inputs.dry_run }}', 'success', true],
    ['!inputs.dry_run', 'failure', false], // success() && (…) is added
    ['failure()', 'failure', true],
    ['failure()', 'cancelled', false],
    ['${{ always() }}', 'cancelled', true],
    ['cancelled()', 'cancelled', true],
    ["vars.X == ''", 'success', true],
    ["contains('failure()', 'x') || true", 'failure', false], // a status function in a string is not a call
    [true, 'failure', false]
  ])('if: %s in a %s job is %s', (value, job, expected) => {
    expect(condition(value, scope(job))).toBe(expected)
  })

  it('sees a status function only where it is called', () => {
    expect(callsStatusFunction("failure() && needs.a.result == 'success'")).toBe(true)
    expect(callsStatusFunction("github.event_name == 'failure'")).toBe(false)
  })
})
