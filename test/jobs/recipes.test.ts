// Every workflow of the README's quick start and of docs/recipes.md, run whole as the runner runs it (./simulator.ts),
// the committed bundle on the emulator, with a failure injected at each step in turn
// (./world.ts says how each kind of step is failed). Each row's expectation is written here by
// hand from the action's contract: the server is restored exactly when a deploy step ran and
// the job failed after a step that armed the rollback, never otherwise, and never twice; a
// fleet's servers are restored all together, each from its own snapshot, even those that no
// deploy reached yet.
//
// The workflows are read from the docs, under their headings (./markdown.ts), not copied
// here: each recipe is written once, and a change to it is tested as a reader will copy it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/bundle.ts'
import { repositorySetup, workflowUnder } from './markdown.ts'
import { planWorkflow, type WorkflowOptions, type WorkflowRun } from './simulator.ts'
import {
  SERVER_ID,
  UNTOUCHED,
  World,
  cancelledAt,
  expectOutcome,
  fails,
  hangs,
  restoredButOne,
  restoredFrom,
  rollbackRefused,
  rotationRefused,
  snapshotGone,
  statusReadRefused,
  timesOut,
  unrestored,
  type Expected,
  type Fault
} from './world.ts'

const README = join(ROOT, 'README.md')
const RECIPES = join(ROOT, 'docs', 'recipes.md')
/** `actions/checkout@v7`, as the docs pin it (dependabot moves the version; the tables follow). */
const pinned = (action: string): string => {
  const found = new RegExp(`${action.replace('/', '\\/')}@v\\d+`).exec(readFileSync(RECIPES, 'utf8'))?.[0]
  if (!found) throw new Error(`docs/recipes.md uses no ${action}`)
  return found
}
/** A repository set up as the quick start asks: those secrets and variables, and no others. */
const SETUP = repositorySetup(README, 'Quick start')

/** The quick start's workflow is in the README; every other recipe's in docs/recipes.md. */
function workflowOf(heading: string): string {
  return workflowUnder(heading === 'Quick start' ? README : RECIPES, heading)
}
const DAY_MS = 24 * 60 * 60 * 1000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()

interface Row extends Expected {
  case: string
  faults?: Fault[]
  /** Setup the repository lacks. */
  missing?: string[]
  inputs?: WorkflowOptions['inputs']
  /** A check of this row's own. */
  also?: (world: World, run: WorkflowRun) => void
}

type Seed = (world: World) => void

/**
 * One table: the recipe's workflow, what the servers hold before it runs, and a row per case; on a fleet of `fleet`
 * servers if given.
 */
function recipe(heading: string, seed: Seed, rows: Row[], options: { fleet?: number } = {}): void {
  const yaml = workflowOf(heading)
  describe.concurrent(heading, () => {
    it('has a row that fails each of its steps, once', () => {
      const failed = rows.flatMap(row =>
        row.faults?.length === 1 && row.faults[0]?.kind === 'fails' ? [row.faults[0].at] : []
      )
      expect(failed.toSorted()).toEqual(
        planWorkflow(yaml)
          .steps.map(step => step.key)
          .toSorted()
      )
    })

    it.each(rows.map(row => [row.case, row] as const))('%s', async (_case, row) => {
      const world = options.fleet === undefined ? await World.start() : await World.startFleet(options.fleet)
      try {
        seed(world)
        const run = await world.run(yaml, SETUP, row)
        expectOutcome(world, run, row)
        row.also?.(world, run)
      } finally {
        await world.close()
      }
    })
  })
}

/** The action's snapshots of earlier deploys, on every server, so that `keep` has something to rotate. */
function earlierSnapshots(count: number): Seed {
  return world => {
    for (const serverId of world.serverIds) {
      for (let index = count; index >= 1; index--) {
        world.emulator.addSnapshot({
          serverId,
          name: `gha-acme-shop-98765432${index}0-1-00000${index}`,
          createdAt: daysAgo(index)
        })
      }
    }
  }
}

function earlierBackups(count: number): Seed {
  return world => {
    for (let index = count; index >= 1; index--) {
      world.emulator.addBackup({
        serverId: SERVER_ID,
        description: `gha-acme-shop-98765432${index}0-1-00000${index} deploy`,
        createdAt: daysAgo(index)
      })
    }
  }
}

const noRequest = (world: World) => expect(world.emulator.requests).toEqual([])

// --- Quick start ------------------------------------------------------------------------

const QUICK = {
  check: 'deploy › Check the setup',
  checkout: `deploy › ${pinned('actions/checkout')}`,
  snapshot: 'deploy › Snapshot the server',
  deploy: 'deploy › Deploy',
  smoke: 'smoke-test › Check the site answers',
  restore: 'rollback › Restore the snapshot taken before the deploy'
}
const QUICK_PASSES = { deploy: 'success', 'smoke-test': 'success', rollback: 'skipped' } as const
const QUICK_DEPLOY_FAILS = { deploy: 'failure', 'smoke-test': 'skipped', rollback: 'skipped' } as const

recipe('Quick start', earlierSnapshots(3), [
  { case: 'nothing fails: the server keeps the deploy', jobs: QUICK_PASSES, end: UNTOUCHED },
  {
    case: 'a repository without APP_URL: the setup check stops the job before anything touches the server',
    missing: ['APP_URL'],
    jobs: QUICK_DEPLOY_FAILS,
    end: UNTOUCHED,
    also: noRequest
  },
  {
    case: 'the setup check fails: it does not run on a repository that is set up',
    faults: [fails(QUICK.check)],
    jobs: QUICK_PASSES,
    end: UNTOUCHED
  },
  {
    case: 'the checkout fails: nothing was armed',
    faults: [fails(QUICK.checkout)],
    jobs: QUICK_DEPLOY_FAILS,
    end: UNTOUCHED
  },
  {
    case: 'the snapshot fails: it armed nothing, no deploy ran',
    faults: [fails(QUICK.snapshot)],
    jobs: QUICK_DEPLOY_FAILS,
    end: UNTOUCHED
  },
  {
    case: 'the snapshot outlasts the step’s timeout: it armed nothing',
    faults: [timesOut(QUICK.snapshot)],
    jobs: QUICK_DEPLOY_FAILS,
    end: UNTOUCHED
  },
  {
    case: 'rotation cannot delete an old snapshot: a warning, the deploy goes on',
    faults: [rotationRefused(QUICK.snapshot)],
    jobs: QUICK_PASSES,
    end: UNTOUCHED
  },
  {
    case: 'the deploy fails: the post step restores the snapshot',
    faults: [fails(QUICK.deploy)],
    jobs: QUICK_DEPLOY_FAILS,
    end: restoredFrom(QUICK.snapshot)
  },
  {
    case: 'the deploy hangs: its timeout-minutes fails it, the post step restores',
    faults: [hangs(QUICK.deploy)],
    jobs: QUICK_DEPLOY_FAILS,
    end: restoredFrom(QUICK.snapshot)
  },
  {
    case: 'the smoke test fails: the rollback job restores the snapshot',
    faults: [fails(QUICK.smoke)],
    jobs: { deploy: 'success', 'smoke-test': 'failure', rollback: 'success' },
    end: restoredFrom(QUICK.snapshot)
  },
  {
    case: 'the rollback job’s restore fails: the job does not run when nothing failed',
    faults: [fails(QUICK.restore)],
    jobs: QUICK_PASSES,
    end: UNTOUCHED
  },
  {
    case: 'the smoke test fails and the restore is refused: nothing restored, the rollback job fails',
    faults: [fails(QUICK.smoke), fails(QUICK.restore)],
    jobs: { deploy: 'success', 'smoke-test': 'failure', rollback: 'failure' },
    end: UNTOUCHED
  }
])

// --- Snapshot before deploy, with automatic rollback ------------------------------------------

const BEFORE = {
  checkout: `deploy › ${pinned('actions/checkout')}`,
  snapshot: 'deploy › Snapshot the server',
  deploy: 'deploy › Deploy',
  migrate: 'deploy › Migrate the database',
  say: 'deploy › Say which snapshot protects this deploy'
}
const PASSES = { deploy: 'success' } as const
const FAILS = { deploy: 'failure' } as const

recipe('Snapshot before deploy, with automatic rollback', earlierSnapshots(3), [
  { case: 'nothing fails', jobs: PASSES, end: UNTOUCHED },
  { case: 'the checkout fails: nothing was armed', faults: [fails(BEFORE.checkout)], jobs: FAILS, end: UNTOUCHED },
  { case: 'the snapshot fails: it armed nothing', faults: [fails(BEFORE.snapshot)], jobs: FAILS, end: UNTOUCHED },
  {
    case: 'the snapshot outlasts the step’s timeout: it armed nothing',
    faults: [timesOut(BEFORE.snapshot)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  {
    case: 'rotation cannot delete an old snapshot: the step succeeds, the deploy goes on',
    faults: [rotationRefused(BEFORE.snapshot)],
    jobs: PASSES,
    end: UNTOUCHED
  },
  {
    case: 'rotation cannot delete an old snapshot, then the deploy fails: the rollback was armed all the same',
    faults: [rotationRefused(BEFORE.snapshot), fails(BEFORE.deploy)],
    jobs: FAILS,
    end: restoredFrom(BEFORE.snapshot)
  },
  {
    case: 'the deploy fails half-way: restored',
    faults: [fails(BEFORE.deploy)],
    jobs: FAILS,
    end: restoredFrom(BEFORE.snapshot)
  },
  {
    case: 'the deploy hangs: its timeout-minutes fails it, restored',
    faults: [hangs(BEFORE.deploy)],
    jobs: FAILS,
    end: restoredFrom(BEFORE.snapshot)
  },
  {
    case: 'the job is cancelled during the deploy: no rollback, as the README says',
    faults: [cancelledAt(BEFORE.deploy)],
    jobs: { deploy: 'cancelled' },
    end: UNTOUCHED
  },
  {
    case: 'the migration fails: restored',
    faults: [fails(BEFORE.migrate)],
    jobs: FAILS,
    end: restoredFrom(BEFORE.snapshot)
  },
  {
    case: 'the last step fails: restored',
    faults: [fails(BEFORE.say)],
    jobs: FAILS,
    end: restoredFrom(BEFORE.snapshot)
  }
])

// --- Rollback as a separate job, from `needs` outputs --------------------------------------------

const SEPARATE = {
  backup: 'backup › Back up the server',
  checkout: `deploy › ${pinned('actions/checkout')}`,
  deploy: 'deploy › Deploy',
  restore: 'rollback › Restore the backup made before the deploy'
}
const ALL_PASS = { backup: 'success', deploy: 'success', rollback: 'skipped' } as const
const BACKUP_FAILS = { backup: 'failure', deploy: 'skipped', rollback: 'skipped' } as const
const DEPLOY_FAILS = { backup: 'success', deploy: 'failure', rollback: 'success' } as const

recipe('Rollback as a separate job, from `needs` outputs', earlierBackups(5), [
  { case: 'nothing fails', jobs: ALL_PASS, end: UNTOUCHED },
  {
    case: 'the backup fails: no deploy, no rollback',
    faults: [fails(SEPARATE.backup)],
    jobs: BACKUP_FAILS,
    end: UNTOUCHED
  },
  {
    case: 'the backup outlasts the step’s timeout: no deploy, no rollback',
    faults: [timesOut(SEPARATE.backup)],
    jobs: BACKUP_FAILS,
    end: UNTOUCHED
  },
  {
    case: 'rotation cannot delete an old backup: a warning, the deploy goes on',
    faults: [rotationRefused(SEPARATE.backup)],
    jobs: ALL_PASS,
    end: UNTOUCHED
  },
  {
    case: 'the checkout fails: the deploy step never ran, so the rollback job does not run',
    faults: [fails(SEPARATE.checkout)],
    jobs: { backup: 'success', deploy: 'failure', rollback: 'skipped' },
    end: UNTOUCHED
  },
  {
    case: 'the deploy fails: the rollback job restores the backup',
    faults: [fails(SEPARATE.deploy)],
    jobs: DEPLOY_FAILS,
    end: restoredFrom(SEPARATE.backup)
  },
  {
    case: 'the deploy hangs: its timeout-minutes fails it, the rollback job restores',
    faults: [hangs(SEPARATE.deploy)],
    jobs: DEPLOY_FAILS,
    end: restoredFrom(SEPARATE.backup)
  },
  {
    case: 'the restore fails: the rollback job does not run when nothing failed',
    faults: [fails(SEPARATE.restore)],
    jobs: ALL_PASS,
    end: UNTOUCHED
  },
  {
    case: 'the deploy fails and the restore is refused: nothing restored, the rollback job fails',
    faults: [fails(SEPARATE.deploy), fails(SEPARATE.restore)],
    jobs: { backup: 'success', deploy: 'failure', rollback: 'failure' },
    end: UNTOUCHED
  }
])

// --- Wait later: snapshot while the build runs --------------------------------------------------

const LATER = {
  start: 'deploy › Start a snapshot of the server',
  checkout: `deploy › ${pinned('actions/checkout')}`,
  setupNode: `deploy › ${pinned('actions/setup-node')}`,
  install: 'deploy › npm ci',
  build: 'deploy › npm run build',
  test: 'deploy › npm test',
  wait: 'deploy › Wait for the snapshot, then arm the rollback',
  deploy: 'deploy › Deploy'
}

recipe('Wait later: snapshot while the build runs', () => {}, [
  { case: 'nothing fails', jobs: PASSES, end: UNTOUCHED },
  { case: 'the snapshot is refused: nothing armed', faults: [fails(LATER.start)], jobs: FAILS, end: UNTOUCHED },
  {
    case: 'the checkout fails before the deploy: not restored',
    faults: [fails(LATER.checkout)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  {
    case: 'setting up Node fails before the deploy: not restored',
    faults: [fails(LATER.setupNode)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  { case: 'npm ci fails before the deploy: not restored', faults: [fails(LATER.install)], jobs: FAILS, end: UNTOUCHED },
  {
    case: 'the build fails before the deploy: not restored',
    faults: [fails(LATER.build)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  {
    case: 'a unit test fails before the deploy: not restored',
    faults: [fails(LATER.test)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  {
    case: 'the snapshot ends failed while the wait step waits: it armed nothing',
    faults: [fails(LATER.wait)],
    jobs: FAILS,
    end: UNTOUCHED
  },
  {
    case: 'the deploy fails: the wait step armed the rollback, restored',
    faults: [fails(LATER.deploy)],
    jobs: FAILS,
    end: restoredFrom(LATER.start)
  },
  {
    case: 'the deploy hangs: its timeout-minutes fails it, restored',
    faults: [hangs(LATER.deploy)],
    jobs: FAILS,
    end: restoredFrom(LATER.start)
  },
  {
    case: 'the job is cancelled during the tests: not restored',
    faults: [cancelledAt(LATER.test)],
    jobs: { deploy: 'cancelled' },
    end: UNTOUCHED
  }
])

describe('Wait later, with rollback_on_failure on the create as the recipes once had it', () => {
  // The old shape of the recipe: the rollback armed by a create that does not wait, so a failed
  // unit test restored production. It is refused as bad input now, before any request.
  const readme = workflowOf('Wait later: snapshot while the build runs')
  const oldShape = readme
    .replace('          rollback_on_failure: true\n', '')
    .replace('          wait: false\n', '          wait: false\n          rollback_on_failure: true\n')

  it('is refused before any request, and the job stops there', async () => {
    expect(oldShape).not.toBe(readme)
    const world = await World.start()
    try {
      const run = await world.run(oldShape, SETUP)
      expectOutcome(world, run, { jobs: FAILS, end: UNTOUCHED })
      noRequest(world)
      const error =
        run.steps
          .get(LATER.start)
          ?.main?.stdout.split('\n')
          .find(line => line.startsWith('::error')) ?? ''
      expect(error, run.describe()).toMatch(/rollback_on_failure/)
      expect(error).toMatch(/wait-snapshot|wait-\*/)
    } finally {
      await world.close()
    }
  })
})

// --- Nightly rotation -------------------------------------------------------------------

const NIGHTLY = {
  snapshots: 'rotate › Keep the newest 3 snapshots made by the action',
  backups: 'rotate › Keep the newest 5 manual backups made by the action'
}

/** Four of the action's snapshots and six of its backups, one of each to rotate, beside items it never touches. */
const nightlySeed: Seed = world => {
  earlierSnapshots(4)(world)
  earlierBackups(6)(world)
  world.emulator.addSnapshot({ serverId: SERVER_ID, name: 'pre-migration-snapshot', createdAt: daysAgo(30) })
  world.emulator.addBackup({ serverId: SERVER_ID, backupType: 'automatic', createdAt: daysAgo(30) })
}

/**
 * The hand-made snapshot and the automatic backup are never touched; `rotated` says whether the oldest of the action's
 * went.
 */
function kept(rotated: { snapshot: boolean; backup: boolean }) {
  return (world: World) => {
    const snapshots = world.emulator.snapshots(SERVER_ID).map(snapshot => snapshot.name)
    const backups = world.emulator.backups(SERVER_ID)
    expect(snapshots).toContain('pre-migration-snapshot')
    expect(backups.some(backup => backup.backup_type === 'automatic')).toBe(true)
    expect(snapshots.includes('gha-acme-shop-9876543240-1-000004')).toBe(!rotated.snapshot)
    expect(backups.some(backup => backup.description.startsWith('gha-acme-shop-9876543260-1-000006'))).toBe(
      !rotated.backup
    )
  }
}

recipe('Nightly rotation', nightlySeed, [
  {
    case: 'nothing fails: the oldest of the action’s snapshots and backups go',
    jobs: { rotate: 'success' },
    end: UNTOUCHED,
    also: kept({ snapshot: true, backup: true })
  },
  {
    case: 'a snapshot delete is refused: nothing restored',
    faults: [fails(NIGHTLY.snapshots)],
    jobs: { rotate: 'failure' },
    end: UNTOUCHED,
    also: kept({ snapshot: false, backup: false })
  },
  {
    case: 'a backup delete is refused: nothing restored',
    faults: [fails(NIGHTLY.backups)],
    jobs: { rotate: 'failure' },
    end: UNTOUCHED,
    also: kept({ snapshot: true, backup: false })
  }
])

// --- Nightly backups kept by the calendar ----------------------------------------------------

const CALENDAR = { backup: 'backup › Back up the server, keeping 3 daily, 2 weekly and 1 monthly' }

/**
 * Noon UTC `days` days before the Monday that starts this ISO week: the seeds fall on fixed
 * weekdays of earlier weeks whatever day the test runs, so that which rule keeps what is fixed.
 */
const beforeMonday = (days: number): string => {
  const midnight = Date.parse(new Date().toISOString().slice(0, 10))
  const monday = midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY_MS
  return new Date(monday - days * DAY_MS + DAY_MS / 2).toISOString()
}
/** Last Sunday, Saturday and Friday, then two weeks back, then older months: the nights of earlier runs. */
const CALENDAR_NIGHTS = {
  sunday: 1,
  saturday: 2,
  friday: 3,
  sundayBefore: 8,
  saturdayBefore: 9,
  sixWeeksAgo: 40,
  tenWeeksAgo: 70
}
const calendarDescription = (night: string) => `gha-acme-shop-nightly-${night} Nightly backup`

const calendarSeed: Seed = world => {
  for (const [night, days] of Object.entries(CALENDAR_NIGHTS)) {
    world.emulator.addBackup({
      serverId: SERVER_ID,
      description: calendarDescription(night),
      createdAt: beforeMonday(days)
    })
  }
  world.emulator.addBackup({
    serverId: SERVER_ID,
    description: 'before the move, by hand',
    createdAt: beforeMonday(100)
  })
  world.emulator.addBackup({ serverId: SERVER_ID, backupType: 'automatic', createdAt: beforeMonday(5) })
}

/**
 * With tonight's backup the newest: 3 daily keep tonight's, last Sunday's and last Saturday's; 2
 * weekly tonight's and last Sunday's (the newest of last week); 1 monthly tonight's. The rest of
 * the action's go; the hand-made and the automatic one stay.
 */
function nightsLeft(nights: string[]) {
  return (world: World) => {
    const descriptions = world.emulator.backups(SERVER_ID).map(backup => backup.description)
    const own = Object.keys(CALENDAR_NIGHTS).filter(night => descriptions.includes(calendarDescription(night)))
    expect(own).toEqual(nights)
    expect(descriptions).toContain('before the move, by hand')
    expect(world.emulator.backups(SERVER_ID).some(backup => backup.backup_type === 'automatic')).toBe(true)
  }
}
const EVERY_NIGHT = Object.keys(CALENDAR_NIGHTS)

recipe('Nightly backups kept by the calendar', calendarSeed, [
  {
    case: "nothing fails: tonight's backup, last Sunday's and last Saturday's stay, the action's others go",
    jobs: { backup: 'success' },
    end: UNTOUCHED,
    also: nightsLeft(['sunday', 'saturday'])
  },
  {
    case: 'the backup fails: nothing is deleted',
    faults: [fails(CALENDAR.backup)],
    jobs: { backup: 'failure' },
    end: UNTOUCHED,
    also: nightsLeft(EVERY_NIGHT)
  },
  {
    case: 'the backup outlasts the step’s timeout: nothing is deleted',
    faults: [timesOut(CALENDAR.backup)],
    jobs: { backup: 'failure' },
    end: UNTOUCHED,
    also: nightsLeft(EVERY_NIGHT)
  },
  {
    case: 'a delete is refused: a warning, the job succeeds, the others still go',
    faults: [rotationRefused(CALENDAR.backup)],
    jobs: { backup: 'success' },
    end: UNTOUCHED,
    also: (world, run) => {
      const left = Object.keys(CALENDAR_NIGHTS).filter(night =>
        world.emulator.backups(SERVER_ID).some(backup => backup.description === calendarDescription(night))
      )
      // One of the five refused, the other four deleted.
      expect(left).toHaveLength(3)
      expect(left.slice(0, 2)).toEqual(['sunday', 'saturday'])
      expect(run.steps.get(CALENDAR.backup)?.main?.stdout).toContain('::warning::')
    }
  }
])

// --- A release's snapshot, kept until you delete it --------------------------------------------

const RELEASE = {
  checkout: `release › ${pinned('actions/checkout')}`,
  snapshot: 'release › Snapshot the server, kept for this release',
  deploy: 'release › Deploy'
}
const RELEASED = { release: 'success' } as const
const RELEASE_FAILS = { release: 'failure' } as const

/** Three snapshots of everyday deploys, and the snapshot of an earlier release, protected, the oldest of all. */
const releaseSeed: Seed = world => {
  world.emulator.addSnapshot({
    serverId: SERVER_ID,
    name: 'gha-acme-shop-9876500000-1-0000aa-protected',
    description: 'gha-acme-shop-9876500000-1-0000aa-protected Release v1.0',
    createdAt: daysAgo(30)
  })
  earlierSnapshots(3)(world)
}

/**
 * The earlier release's snapshot is never deleted; `rotated`: the oldest everyday one went, as keep 2 asks once the new
 * one is completed (the new one is protected, so it takes none of keep's places: the newest 2 everyday ones stay).
 */
function releaseKept(rotated: boolean) {
  return (world: World) => {
    const names = world.emulator.snapshots(SERVER_ID).map(snapshot => snapshot.name)
    expect(names).toContain('gha-acme-shop-9876500000-1-0000aa-protected')
    expect(names.includes('gha-acme-shop-9876543230-1-000003')).toBe(!rotated)
  }
}

recipe("A release's snapshot, kept until you delete it", releaseSeed, [
  {
    case: "nothing fails: the new snapshot is protected, the earlier release's stays, the newest 2 everyday ones stay",
    jobs: RELEASED,
    end: UNTOUCHED,
    also: world => {
      releaseKept(true)(world)
      const names = world.emulator.snapshots(SERVER_ID).map(snapshot => snapshot.name)
      expect(names.filter(name => name.endsWith('-protected'))).toHaveLength(2)
      expect(names).toEqual(
        expect.arrayContaining(['gha-acme-shop-9876543220-1-000002', 'gha-acme-shop-9876543210-1-000001'])
      )
      expect(names).toHaveLength(4)
    }
  },
  {
    case: 'the checkout fails: nothing was armed',
    faults: [fails(RELEASE.checkout)],
    jobs: RELEASE_FAILS,
    end: UNTOUCHED,
    also: releaseKept(false)
  },
  {
    case: 'the snapshot fails: it armed nothing',
    faults: [fails(RELEASE.snapshot)],
    jobs: RELEASE_FAILS,
    end: UNTOUCHED,
    also: releaseKept(false)
  },
  {
    case: 'the deploy fails: restored from the release’s own snapshot',
    faults: [fails(RELEASE.deploy)],
    jobs: RELEASE_FAILS,
    end: restoredFrom(RELEASE.snapshot),
    also: releaseKept(true)
  }
])

// --- Manual restore of `latest` -------------------------------------------------------------

const MANUAL = {
  restore: 'restore › Restore the server',
  report: 'restore › Report'
}

/** Two completed snapshots of different days, and a newer one still in progress, never `latest`. */
const manualSeed: Seed = world => {
  world.emulator.addSnapshot({ serverId: SERVER_ID, name: 'nightly', createdAt: daysAgo(2) })
  world.write('order 0')
  world.emulator.addSnapshot({ serverId: SERVER_ID, name: 'before-update', createdAt: daysAgo(1) })
  world.emulator.addSnapshot({ serverId: SERVER_ID, name: 'being-made', status: 'in_progress' })
}

recipe('Manual restore of `latest`', manualSeed, [
  {
    case: 'restores the newest completed snapshot',
    jobs: { restore: 'success' },
    end: { restoredFromSnapshotNamed: 'before-update' }
  },
  { case: 'a dry run restores nothing', inputs: { dry_run: true }, jobs: { restore: 'success' }, end: UNTOUCHED },
  {
    case: 'the restore is refused: nothing restored',
    faults: [fails(MANUAL.restore)],
    jobs: { restore: 'failure' },
    end: UNTOUCHED
  },
  {
    case: 'the report fails after the restore: restored once, not again',
    faults: [fails(MANUAL.report)],
    jobs: { restore: 'failure' },
    end: { restoredFromSnapshotNamed: 'before-update' }
  }
])

// --- A fleet: snapshot every server, deploy, roll back all ----------------------------------------

/** The recipe's servers, 101, 102 and 103. */
const FLEET_SIZE = 3
const FLEET = {
  checkout: `deploy › ${pinned('actions/checkout')}`,
  snapshot: 'deploy › Snapshot every server',
  deploy101: 'deploy › Deploy to server 101',
  deploy102: 'deploy › Deploy to server 102',
  deploy103: 'deploy › Deploy to server 103',
  smoke: 'smoke-test › Check the site answers',
  restore: 'rollback › Restore every server from its own snapshot'
}
const FLEET_PASSES = { deploy: 'success', 'smoke-test': 'success', rollback: 'skipped' } as const
const FLEET_DEPLOY_FAILS = { deploy: 'failure', 'smoke-test': 'skipped', rollback: 'skipped' } as const
const FLEET_SMOKE_FAILS = { deploy: 'success', 'smoke-test': 'failure', rollback: 'success' } as const

/** The servers a deploy step wrote a release to (all of it, or half-way), in order. */
function deployedTo(expected: number[]) {
  return (world: World) => {
    const reached = world.serverIds.filter(id => world.writesOn(id).some(write => write.label.startsWith('release')))
    expect(reached, 'the servers a deploy reached').toEqual(expected)
  }
}

/** The `::error::` lines of a step's main or post run. */
function errorsOf(run: WorkflowRun, key: string, phase: 'main' | 'post'): string[] {
  return (run.steps.get(key)?.[phase]?.stdout ?? '').split('\n').filter(line => line.startsWith('::error'))
}

/** One error line, naming this server and no other of the fleet. */
function expectErrorNaming(world: World, errors: string[], serverId: number | undefined, story: string): void {
  expect(errors, story).toHaveLength(1)
  for (const id of world.serverIds)
    expect(
      new RegExp(`\\bserver ${id}\\b`).test(errors[0] ?? ''),
      `the error names server ${id}: ${errors[0]}${story}`
    ).toBe(id === serverId)
}

/** keep: 3 on each server: its new snapshot and the two newest earlier ones are left. */
const keptThreeOnEach = (world: World, run: WorkflowRun) => {
  const ids = JSON.parse(run.steps.get(FLEET.snapshot)?.outputs.snapshot_ids ?? '{}') as Record<string, number>
  for (const serverId of world.serverIds) {
    const names = world.emulator.snapshots(serverId).map(snapshot => snapshot.name)
    expect(names.slice(1), `server ${serverId}'s snapshots`).toEqual([
      'gha-acme-shop-9876543210-1-000001',
      'gha-acme-shop-9876543220-1-000002'
    ])
    expect(world.emulator.snapshots(serverId)[0]?.id, `server ${serverId}'s new snapshot is in snapshot_ids`).toBe(
      ids[String(serverId)]
    )
  }
}

/**
 * The provider's job failed on one server: the step names it alone, its result carries the error, the others completed.
 */
const oneSnapshotFailed = (world: World, run: WorkflowRun) => {
  const story = `\n${run.describe()}`
  const failed = world.serverIds.filter(id =>
    world.emulator.snapshots(id).some(snapshot => snapshot.status === 'failed')
  )
  expect(failed, `servers whose new snapshot failed${story}`).toHaveLength(1)
  expectErrorNaming(world, errorsOf(run, FLEET.snapshot, 'main'), failed[0], story)
  const results = JSON.parse(run.steps.get(FLEET.snapshot)?.outputs.results ?? '[]') as Array<{
    server_id: number
    status?: string
    error?: string
  }>
  expect(
    results.map(result => result.server_id),
    `results, in the order given${story}`
  ).toEqual([...world.serverIds])
  for (const result of results) {
    if (result.server_id === failed[0])
      expect(result.error, `server ${result.server_id}'s result${story}`).toMatch(/failed/)
    else
      expect({ status: result.status, error: result.error }, `server ${result.server_id}'s result${story}`).toEqual({
        status: 'completed',
        error: undefined
      })
  }
  deployedTo([])(world)
}

/** The restore refused for one server: the step fails with one error naming that server alone. */
function namesTheUnrestored(key: string, phase: 'main' | 'post') {
  return (world: World, run: WorkflowRun) => {
    const story = `\n${run.describe()}`
    expect(run.steps.get(key)?.[phase]?.exitCode, `${phase} ${key}${story}`).toBe(1)
    expectErrorNaming(world, errorsOf(run, key, phase), unrestored(world)[0], story)
  }
}

recipe(
  'A fleet: snapshot every server, deploy, roll back all',
  earlierSnapshots(3),
  [
    {
      case: 'nothing fails: every server keeps its release, each keeps 3 snapshots',
      jobs: FLEET_PASSES,
      end: UNTOUCHED,
      also: (world, run) => {
        deployedTo([101, 102, 103])(world)
        keptThreeOnEach(world, run)
      }
    },
    {
      case: 'the checkout fails: nothing was armed, no server touched',
      faults: [fails(FLEET.checkout)],
      jobs: FLEET_DEPLOY_FAILS,
      end: UNTOUCHED,
      also: deployedTo([])
    },
    {
      case: 'the snapshot fails on one server: the step fails naming it, arms nothing, no deploy runs',
      faults: [fails(FLEET.snapshot)],
      jobs: FLEET_DEPLOY_FAILS,
      end: UNTOUCHED,
      also: oneSnapshotFailed
    },
    {
      case: 'a shared status read fails and 102’s own is refused during the wait: the step fails naming it alone, the others completed, nothing armed',
      faults: [statusReadRefused(FLEET.snapshot)],
      jobs: FLEET_DEPLOY_FAILS,
      end: UNTOUCHED,
      also: (world, run) => {
        const story = `\n${run.describe()}`
        expectErrorNaming(world, errorsOf(run, FLEET.snapshot, 'main'), 102, story)
        const results = JSON.parse(run.steps.get(FLEET.snapshot)?.outputs.results ?? '[]') as Array<{
          server_id: number
          snapshot_id?: number
          status?: string
          error?: string
        }>
        expect(
          results.map(result => [result.server_id, result.error === undefined ? result.status : 'error']),
          `results${story}`
        ).toEqual([
          [101, 'completed'],
          [102, 'error'],
          [103, 'completed']
        ])
        // 102's snapshot was made like the others': what failed was reading its status.
        const made = results[1]?.snapshot_id
        expect(
          world.emulator.snapshots(102).some(snapshot => snapshot.id === made),
          `server 102's new snapshot${story}`
        ).toBe(true)
        deployedTo([])(world)
      }
    },
    {
      case: 'the deploy to 101 fails: every server restored, 102 and 103 too',
      faults: [fails(FLEET.deploy101)],
      jobs: FLEET_DEPLOY_FAILS,
      end: restoredFrom(FLEET.snapshot),
      also: deployedTo([101])
    },
    {
      case: 'the deploy to 102 fails: every server restored, each from its own snapshot',
      faults: [fails(FLEET.deploy102)],
      jobs: FLEET_DEPLOY_FAILS,
      end: restoredFrom(FLEET.snapshot),
      also: deployedTo([101, 102])
    },
    {
      case: 'the deploy to 103 fails: every server restored',
      faults: [fails(FLEET.deploy103)],
      jobs: FLEET_DEPLOY_FAILS,
      end: restoredFrom(FLEET.snapshot),
      also: deployedTo([101, 102, 103])
    },
    {
      case: 'the deploy to 102 hangs: its timeout-minutes fails it, every server restored',
      faults: [hangs(FLEET.deploy102)],
      jobs: FLEET_DEPLOY_FAILS,
      end: restoredFrom(FLEET.snapshot),
      also: deployedTo([101, 102])
    },
    {
      case: 'the deploy to 102 fails and one server’s rollback is refused: the others restored, the post step fails naming it',
      faults: [fails(FLEET.deploy102), rollbackRefused(FLEET.snapshot)],
      jobs: FLEET_DEPLOY_FAILS,
      end: restoredButOne(FLEET.snapshot),
      also: namesTheUnrestored(FLEET.snapshot, 'post')
    },
    {
      case: 'the job is cancelled during the deploy to 102: no rollback',
      faults: [cancelledAt(FLEET.deploy102)],
      jobs: { deploy: 'cancelled', 'smoke-test': 'skipped', rollback: 'skipped' },
      end: UNTOUCHED,
      also: deployedTo([101, 102])
    },
    {
      case: 'the smoke test fails: the rollback job restores every server from the map, once each',
      faults: [fails(FLEET.smoke)],
      jobs: FLEET_SMOKE_FAILS,
      end: restoredFrom(FLEET.snapshot)
    },
    {
      case: 'the rollback job’s restore fails: the job does not run when nothing failed',
      faults: [fails(FLEET.restore)],
      jobs: FLEET_PASSES,
      end: UNTOUCHED
    },
    {
      case: 'the smoke test fails and 102’s snapshot was deleted by hand: no server is restored, the rollback job fails naming 102',
      faults: [fails(FLEET.smoke), snapshotGone(FLEET.restore)],
      jobs: { deploy: 'success', 'smoke-test': 'failure', rollback: 'failure' },
      end: UNTOUCHED,
      also: (world, run) => {
        expectErrorNaming(world, errorsOf(run, FLEET.restore, 'main'), 102, `\n${run.describe()}`)
        deployedTo([101, 102, 103])(world)
      }
    },
    {
      case: 'the smoke test fails and one server’s restore is refused: the others restored, the rollback job fails naming it',
      faults: [fails(FLEET.smoke), fails(FLEET.restore)],
      jobs: { deploy: 'success', 'smoke-test': 'failure', rollback: 'failure' },
      end: restoredButOne(FLEET.snapshot),
      also: namesTheUnrestored(FLEET.restore, 'main')
    }
  ],
  { fleet: FLEET_SIZE }
)
