// `npm run demo`: the bundled action (dist/index.js) through a deploy story, against the
// emulator of the VPS.org API on loopback. No account, no token, no network.
// Each step runs the bundle as the GitHub runner would (test/harness/runner.ts) and is checked:
// the demo exits 1 if any step did not do what the story expects.
import { DEFAULT_TOKEN, startEmulator, type Emulator } from '../test/emulator/server.ts'
import { runStep, type StepResult } from '../test/support/bundle.ts'

const SERVER_ID = 12345
/** The fleet of chapter 8. */
const FLEET = [101, 102, 103]
const DAY_MS = 24 * 60 * 60 * 1000
// The emulator's jobs take 1 s, so a short first check keeps the demo quick; real ones take minutes.
const JOB_SECONDS = 1
const POLL_INTERVAL = '0.5'
// A hung step fails the demo instead of hanging it, and the emulator never outlives it.
const STEP_KILL_AFTER_MS = 30_000
const EMULATOR_LIFETIME_SECONDS = 120
// Long outputs (`items`) are cut in the printout; the checks read them whole.
const MAX_SHOWN_VALUE = 110

type Inputs = Record<string, string>

/** The action's snapshots from earlier runs, oldest first. */
interface Earlier {
  oldest: number
  middle: number
  newest: number
}

interface Story {
  emulator: Emulator
  /** The inputs every step passes: where the API is and the token. */
  connection: Inputs
  failures: string[]
  /** The heading of the part of the story being told, to say where a failure happened. */
  chapter: string
}

async function main(): Promise<void> {
  const started = Date.now()
  const emulator = await startEmulator({
    jobSeconds: JOB_SECONDS,
    restoreSeconds: JOB_SECONDS,
    lifetimeSeconds: EMULATOR_LIFETIME_SECONDS
  })
  const story: Story = {
    emulator,
    connection: { api_url: emulator.url, api_token: DEFAULT_TOKEN, poll_interval: POLL_INTERVAL },
    failures: [],
    chapter: ''
  }
  try {
    const earlier = seedHistory(emulator)
    console.log(`VPS.org Snapshot & Rollback: demo on the emulator at ${emulator.url}`)
    console.log(
      `Each step runs dist/index.js as the GitHub runner would; poll_interval is ${POLL_INTERVAL} s because the emulator's jobs take ${JOB_SECONDS} s.`
    )
    console.log(`Server ${SERVER_ID} "web-server-01" already has these snapshots:`)
    for (const snapshot of emulator.snapshots(SERVER_ID))
      console.log(`  ${snapshot.id}  ${snapshot.name}  (${snapshot.created_at})`)
    await tellStory(story, earlier)
  } finally {
    await emulator.close()
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (story.failures.length === 0) {
    console.log(`\nDemo finished in ${seconds} s: every step did what the story expects.`)
    return
  }
  console.log(`\nDemo FAILED after ${seconds} s:`)
  for (const failure of story.failures) console.log(`  - ${failure}`)
  process.exitCode = 1
}

/** What a server looks like after a few weeks of deploys: one hand-made snapshot and three of the action's. */
function seedHistory(emulator: Emulator): Earlier {
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()
  emulator.addSnapshot({
    serverId: SERVER_ID,
    name: 'pre-migration-snapshot',
    createdAt: daysAgo(9),
    description: 'Before major migration'
  })
  // Earlier runs of the same workflow, by the name the action gave them: `gha-<repo>-<run id>-<attempt>-<hex>`.
  const earlierRun = (days: number, nonce: string) =>
    emulator.addSnapshot({
      serverId: SERVER_ID,
      name: `gha-acme-shop-${9876543210 - days * 1000}-1-${nonce}`,
      createdAt: daysAgo(days)
    }).id
  const earlier = { oldest: earlierRun(3, '3fa2c1'), middle: earlierRun(2, 'b07e44'), newest: earlierRun(1, '5d19e8') }
  emulator.addBackup({ serverId: SERVER_ID, backupType: 'automatic', createdAt: daysAgo(1) })
  return earlier
}

async function tellStory(story: Story, earlier: Earlier): Promise<void> {
  const server = { server_id: String(SERVER_ID) }

  heading(story, "1. Before the deploy: create-snapshot, waiting for it, keeping the newest 3 of the action's own")
  const first = await step(story, { operation: 'create-snapshot', ...server, keep: '3' })
  expectOutput(story, first, 'status', 'completed')
  expectOutput(story, first, 'deleted_ids', JSON.stringify([earlier.oldest]))
  const firstId = first.outputs.snapshot_id ?? ''

  heading(story, '2. list-snapshots: what the server has now')
  const list = await step(story, { operation: 'list-snapshots', ...server })
  expectOutput(story, list, 'count', '4')
  const listed = parseIds(list.outputs.items)
  if (listed[0] !== Number(firstId))
    fail(story, `list-snapshots: expected snapshot ${firstId} first in items, got ${JSON.stringify(listed)}`)

  heading(story, '3. Wait later: create-backup with wait: false, build meanwhile, then wait-backup arms the rollback')
  const backup = await step(story, { operation: 'create-backup', ...server, wait: 'false' })
  expectOutput(story, backup, 'status', 'in_progress')
  if (backup.state.rollback) fail(story, 'create-backup with wait: false armed a rollback')
  console.log('\n   (the build and the tests run here while the backup is made: a failure now restores nothing)')
  const waited = await step(story, {
    operation: 'wait-backup',
    ...server,
    backup_id: backup.outputs.backup_id ?? '',
    rollback_on_failure: 'true'
  })
  expectOutput(story, waited, 'backup_id', backup.outputs.backup_id ?? '(none)')
  expectOutput(story, waited, 'status', 'completed')
  if (!waited.state.rollback) fail(story, 'wait-backup with rollback_on_failure armed nothing')

  heading(story, '4. A failed deploy, rolled back automatically')
  const guarded = { operation: 'create-snapshot', ...server, rollback_on_failure: 'true' }
  const snapshotStep = await step(story, guarded)
  expectOutput(story, snapshotStep, 'status', 'completed')
  const guardedId = snapshotStep.outputs.snapshot_id ?? ''
  console.log('\n   Deploy step: migration failed, exit code 1 (simulated), so the job fails')
  console.log("   and the runner runs the action's post step (post-if: failure()):")
  const rollback = await step(story, guarded, snapshotStep.state)
  // The post step writes no outputs (no later step could read them): its log and the server say what it did.
  if (!rollback.stdout.includes(`server ${SERVER_ID} restored from snapshot ${guardedId}`))
    fail(story, `rollback: expected the post step to say server ${SERVER_ID} was restored from snapshot ${guardedId}`)
  if (Object.keys(rollback.outputs).length > 0)
    fail(story, `rollback: the post step wrote outputs ${Object.keys(rollback.outputs).join(', ')}`)
  const rolledBack = story.emulator.server(SERVER_ID)?.status
  if (rolledBack !== 'running')
    fail(story, `rollback: expected server ${SERVER_ID} running after the restore, got ${rolledBack ?? '(none)'}`)
  expectRequest(story, 'rollback', 'POST', `/snapshots/${guardedId}/restore/`)

  heading(story, '5. Manual restore of the latest completed snapshot')
  const restore = await step(story, { operation: 'restore-snapshot', ...server, snapshot_id: 'latest' })
  expectOutput(story, restore, 'snapshot_id', guardedId)
  expectOutput(story, restore, 'status', 'running')

  heading(story, '6. delete-snapshot of an older one')
  const removed = await step(story, { operation: 'delete-snapshot', snapshot_id: String(earlier.middle) })
  expectOutput(story, removed, 'deleted_ids', JSON.stringify([earlier.middle]))

  heading(story, '7. prune-snapshots as a dry run: what keeping the newest 2 would delete')
  const requestsBefore = story.emulator.requests.length
  const snapshotsBefore = story.emulator.snapshots(SERVER_ID).length
  const prune = await step(story, { operation: 'prune-snapshots', ...server, keep: '2', dry_run: 'true' })
  expectOutput(story, prune, 'deleted_ids', '[]')
  if (!prune.stdout.includes(`would delete snapshot ${earlier.newest} `))
    fail(story, `prune dry run: expected it to say it would delete snapshot ${earlier.newest}`)
  const writes = story.emulator.requests.slice(requestsBefore).filter(request => request.method !== 'GET')
  if (writes.length > 0)
    fail(story, `prune dry run: sent ${writes.map(request => `${request.method} ${request.path}`).join(', ')}`)
  if (story.emulator.snapshots(SERVER_ID).length !== snapshotsBefore)
    fail(story, 'prune dry run: the number of snapshots changed')

  heading(story, '8. A fleet: three servers snapshotted side by side, then all rolled back after a failed deploy')
  for (const id of FLEET) story.emulator.addServer({ id, name: `web-${id}` })
  const fleet = { operation: 'create-snapshot', server_id: FLEET.join(', '), rollback_on_failure: 'true' }
  const fleetStep = await step(story, fleet)
  const ids = JSON.parse(fleetStep.outputs.snapshot_ids ?? '{}') as Record<string, number>
  if (Object.keys(ids).length !== FLEET.length)
    fail(story, `fleet: expected a snapshot of each of ${FLEET.join(', ')}, got ${JSON.stringify(ids)}`)
  console.log('\n   The job summary draws the fleet (GitHub renders this Mermaid block as a chart):')
  for (const line of (/```mermaid\n[\s\S]*?```/.exec(fleetStep.summary)?.[0] ?? '(no timeline)').split('\n'))
    console.log(`   > ${line}`)
  console.log('\n   Deploy to server 102 fails, so the job fails; the post step restores every server:')
  const restoresBefore = story.emulator.restores.length
  await step(story, fleet, fleetStep.state)
  const restored = story.emulator.restores
    .slice(restoresBefore)
    .map(restore => restore.serverId)
    .sort()
  if (JSON.stringify(restored) !== JSON.stringify(FLEET))
    fail(story, `fleet rollback: expected servers ${FLEET.join(', ')} restored, got ${restored.join(', ')}`)
}

function heading(story: Story, text: string): void {
  story.chapter = text.slice(0, text.indexOf('.'))
  console.log(`\n== ${text}`)
}

function fail(story: Story, problem: string): void {
  story.failures.push(`step ${story.chapter}: ${problem}`)
}

/** Runs the bundle once (as the post step when `state` is given), prints what matters, checks it succeeded. */
async function step(story: Story, inputs: Inputs, state?: Record<string, string>): Promise<StepResult> {
  const label = state ? `post step of ${inputs.operation}` : (inputs.operation ?? '')
  console.log(
    `\n   ${state ? 'post step' : 'step'}: ${Object.entries(inputs)
      .map(([name, value]) => `${name}: ${value}`)
      .join(', ')}`
  )
  const result = await runStep(
    { ...story.connection, ...inputs },
    { killAfterMs: STEP_KILL_AFTER_MS, ...(state ? { post: { state } } : {}) }
  )
  for (const line of logLines(result.stdout)) console.log(`   | ${line}`)
  for (const line of result.stderr.split('\n').filter(Boolean)) console.log(`   ! ${line}`)
  const outputs = Object.entries(result.outputs)
  if (outputs.length > 0) console.log('   outputs:')
  for (const [name, value] of outputs) console.log(`     ${name} = ${shorten(value)}`)
  // The action itself says what it armed: the story checks that it does whenever it did.
  if (result.state.rollback && !result.stdout.includes('Rollback armed: '))
    fail(story, `${label}: armed the rollback without saying so`)
  console.log(`   (exit code ${result.exitCode}, ${(result.durationMs / 1000).toFixed(1)} s)`)
  if (result.exitCode !== 0)
    fail(story, `${label}: exit code ${result.exitCode}${result.errors.length ? `: ${result.errors.join('; ')}` : ''}`)
  return result
}

/** The lines a person reads in the job log: no debug lines, no masking commands, groups and annotations spelled out. */
function logLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter(line => line.trim() !== '' && !/^::(debug|add-mask|endgroup)::/.test(line))
    .map(line => {
      const annotation = /^::(notice|warning|error)[^:]*::(.*)$/.exec(line)
      if (annotation) return `${annotation[1]}: ${decode(annotation[2] ?? '')}`
      return line.startsWith('::group::') ? `▸ ${decode(line.slice('::group::'.length))}` : line
    })
}

function decode(text: string): string {
  return text.replace(/%0D/g, '').replace(/%0A/g, ' ').replace(/%25/g, '%')
}

function shorten(value: string): string {
  return value.length <= MAX_SHOWN_VALUE ? value : `${value.slice(0, MAX_SHOWN_VALUE)}… (${value.length} characters)`
}

function expectOutput(story: Story, result: StepResult, name: string, expected: string): void {
  const actual = result.outputs[name]
  if (actual !== expected)
    fail(story, `output ${name}: expected ${expected}, got ${actual === undefined ? '(not set)' : actual}`)
}

function expectRequest(story: Story, label: string, method: string, path: string): void {
  const fullPath = `${new URL(story.emulator.url).pathname}${path}`
  if (!story.emulator.requests.some(request => request.method === method && request.path === fullPath)) {
    fail(story, `${label}: expected a ${method} ${path} request`)
  }
}

function parseIds(items: string | undefined): number[] {
  try {
    return (JSON.parse(items ?? '[]') as Array<{ id: number }>).map(item => item.id)
  } catch {
    return []
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
