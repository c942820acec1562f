// What a dry run says is exactly what the real run does. Each row seeds a server's state and runs
// one operation twice, on two emulators seeded alike from the same moment: once as a dry run, once
// for real. The dry run's planned actions, read as the requests they stand for, must be the real
// run's write requests, in order; and the dry run sends only GETs, the same reads as the real run
// makes before its first write, and for a create the server too: the real run's POST answers 404
// for a missing server, a dry run sends no POST, so it reads the server to know it exists.
import { describe, expect } from 'vitest'
import type { Action } from '../../src/plan/actions.ts'
import { BACKUPS, SNAPSHOTS } from '../../src/kinds.ts'
import { createBackup, createSnapshot } from '../support/one-server.ts'
import { DELETE_BACKUP, DELETE_SNAPSHOT } from '../../src/operations/delete.ts'
import { prune } from '../support/one-server.ts'
import { restoreBackup, restoreSnapshot } from '../support/one-server.ts'
import { startEmulator } from '../emulator/server.ts'
import { VirtualClock } from '../support/clock.ts'
import {
  Api,
  DB,
  JOB_SECONDS,
  RESTORE_SECONDS,
  WEB,
  createSettings,
  rules,
  test,
  type Step
} from '../support/in-process.ts'

const MINUTE = 60_000

interface Row {
  name: string
  /**
   * Seeds `api` and says what to run and which writes it must make. Called once on each emulator,
   * so the seeds are made in the same order and get the same ids.
   */
  seed(api: Api): { run(step: Step): Promise<void>; writes: string[]; dryReads?: string[] }
}

/** What a create's dry run reads besides the real run's reads: the server, which the POST's answer would vouch for. */
const SERVER_READ = [`GET /servers/${WEB}/`]

function minutesAgo(api: Api, minutes: number): string {
  return new Date(api.clock.now() - minutes * MINUTE).toISOString()
}

function snapshot(api: Api, name: string, minutes: number, fields: { serverId?: number; status?: string } = {}) {
  return api.emulator.addSnapshot({
    serverId: fields.serverId ?? WEB,
    name,
    createdAt: minutesAgo(api, minutes),
    ...(fields.status ? { status: fields.status } : {})
  })
}

function backup(
  api: Api,
  description: string,
  minutes: number,
  fields: { serverId?: number; backupType?: 'manual' | 'automatic'; status?: string } = {}
) {
  return api.emulator.addBackup({
    serverId: fields.serverId ?? WEB,
    description,
    createdAt: minutesAgo(api, minutes),
    ...fields
  })
}

/** The request a planned action stands for. */
function requestFor(action: Action): string {
  switch (action.do) {
    case 'delete':
      return action.kind === 'snapshot' ? `DELETE /snapshots/${action.id}/` : `DELETE /backups/${action.id}/`
    case 'create':
      return action.kind === 'snapshot' ? 'POST /snapshots/' : 'POST /backups/'
    case 'restore':
      return action.kind === 'snapshot'
        ? `POST /snapshots/${action.id}/restore/`
        : `POST /servers/${action.serverId}/restore/`
  }
}

const ROWS: Row[] = [
  {
    name: 'create-snapshot, keep 0, under the limit',
    seed: api => {
      snapshot(api, 'by-hand', 300)
      snapshot(api, 'gha-acme-shop-1-1-aaaaaa', 200)
      return {
        run: step => createSnapshot({ ...step.settings, ...createSettings({ keep: 0 }) }, step.tools),
        writes: ['POST /snapshots/'],
        dryReads: SERVER_READ
      }
    }
  },
  {
    name: 'create-snapshot, keep 2, at the limit: one deletion before the create, one after',
    seed: api => {
      const o1 = snapshot(api, 'gha-acme-shop-1-1-aaaaaa', 300)
      snapshot(api, 'manual-before-upgrade', 250)
      const o2 = snapshot(api, 'gha-acme-shop-2-1-bbbbbb', 200)
      snapshot(api, 'db-migration', 150)
      snapshot(api, 'gha-acme-shop-3-1-cccccc', 100)
      return {
        run: step => createSnapshot({ ...step.settings, ...createSettings({ keep: 2 }) }, step.tools),
        writes: [`DELETE /snapshots/${o1.id}/`, 'POST /snapshots/', `DELETE /snapshots/${o2.id}/`],
        dryReads: SERVER_READ
      }
    }
  },
  {
    name: 'create-snapshot, keep 3, at the limit with a foreign one and an own one in progress',
    seed: api => {
      // The oldest is the action's own but still in progress: never deleted.
      snapshot(api, 'gha-acme-shop-0-1-dddddd', 500, { status: 'in_progress' })
      const o1 = snapshot(api, 'gha-acme-shop-1-1-aaaaaa', 400)
      snapshot(api, 'by-hand', 350)
      snapshot(api, 'gha-acme-shop-2-1-bbbbbb', 300)
      snapshot(api, 'gha-acme-shop-3-1-cccccc', 200)
      // Another server's own snapshots are not this server's to rotate.
      snapshot(api, 'gha-acme-shop-9-1-eeeeee', 900, { serverId: DB })
      return {
        run: step => createSnapshot({ ...step.settings, ...createSettings({ keep: 3 }) }, step.tools),
        writes: [`DELETE /snapshots/${o1.id}/`, 'POST /snapshots/'],
        dryReads: SERVER_READ
      }
    }
  },
  {
    name: 'create-backup, keep 3, at the manual limit, with automatic ones',
    seed: api => {
      const own = Array.from({ length: 6 }, (_, n) =>
        backup(api, `gha-acme-shop-${n}-1-abcdef Before deploy`, 600 - n * 50)
      )
      for (let n = 0; n < 4; n++) backup(api, `weekly by hand ${n}`, 580 - n * 50)
      backup(api, 'gha-looking automatic', 700, { backupType: 'automatic' })
      backup(api, 'Automatic daily backup', 30, { backupType: 'automatic' })
      return {
        run: step => createBackup({ ...step.settings, ...createSettings({ name: undefined, keep: 3 }) }, step.tools),
        writes: [
          `DELETE /backups/${own[0]?.id}/`,
          'POST /backups/',
          `DELETE /backups/${own[1]?.id}/`,
          `DELETE /backups/${own[2]?.id}/`,
          `DELETE /backups/${own[3]?.id}/`
        ],
        dryReads: SERVER_READ
      }
    }
  },
  {
    name: 'prune-snapshots, keep 2',
    seed: api => {
      const o1 = snapshot(api, 'gha-1', 400)
      snapshot(api, 'keep-me', 450)
      const o2 = snapshot(api, 'gha-2', 300)
      snapshot(api, 'gha-busy', 350, { status: 'in_progress' })
      snapshot(api, 'gha-3', 200)
      snapshot(api, 'gha-4', 100)
      return {
        run: step =>
          prune(SNAPSHOTS, { ...step.settings, serverId: WEB, ...rules({ keep: 2 }), namePrefix: 'gha-' }, step.tools),
        writes: [`DELETE /snapshots/${o1.id}/`, `DELETE /snapshots/${o2.id}/`]
      }
    }
  },
  {
    name: 'prune-backups, keep 1',
    seed: api => {
      const o1 = backup(api, 'gha-acme-shop-1-1-abcdef', 400)
      backup(api, 'gha-nightly', 500, { backupType: 'automatic' })
      const o2 = backup(api, 'gha-acme-shop-2-1-abcdef', 300)
      backup(api, 'by hand', 350)
      backup(api, 'gha-acme-shop-3-1-abcdef', 200)
      return {
        run: step =>
          prune(BACKUPS, { ...step.settings, serverId: WEB, ...rules({ keep: 1 }), namePrefix: 'gha-' }, step.tools),
        writes: [`DELETE /backups/${o1.id}/`, `DELETE /backups/${o2.id}/`]
      }
    }
  },
  {
    name: 'delete-snapshot',
    seed: api => {
      snapshot(api, 'kept', 300)
      const doomed = snapshot(api, 'doomed', 200, { serverId: DB })
      snapshot(api, 'also-kept', 100, { serverId: DB })
      return {
        run: step => DELETE_SNAPSHOT.run({ ...step.settings, id: doomed.id }, step.tools),
        writes: [`DELETE /snapshots/${doomed.id}/`]
      }
    }
  },
  {
    name: 'delete-snapshot of one already gone',
    seed: api => {
      snapshot(api, 'kept', 300)
      return { run: step => DELETE_SNAPSHOT.run({ ...step.settings, id: 4242 }, step.tools), writes: [] }
    }
  },
  {
    name: 'delete-backup',
    seed: api => {
      const doomed = backup(api, 'doomed', 300)
      backup(api, 'kept', 200)
      backup(api, 'Automatic daily backup', 100, { backupType: 'automatic' })
      return {
        run: step => DELETE_BACKUP.run({ ...step.settings, id: doomed.id }, step.tools),
        writes: [`DELETE /backups/${doomed.id}/`]
      }
    }
  },
  {
    name: 'restore-snapshot latest',
    seed: api => {
      snapshot(api, 'older', 300)
      const newest = snapshot(api, 'newest', 100)
      snapshot(api, 'busy', 10, { status: 'in_progress' })
      snapshot(api, 'elsewhere', 5, { serverId: DB })
      return {
        run: step =>
          restoreSnapshot({ ...step.settings, snapshot: { latest: true }, serverId: WEB, wait: true }, step.tools),
        writes: [`POST /snapshots/${newest.id}/restore/`]
      }
    }
  },
  {
    name: 'restore-backup by id',
    seed: api => {
      const chosen = backup(api, 'before the release', 300)
      backup(api, 'Automatic daily backup', 100, { backupType: 'automatic' })
      return {
        run: step =>
          restoreBackup({ ...step.settings, backup: { id: chosen.id }, serverId: WEB, wait: true }, step.tools),
        writes: [`POST /servers/${WEB}/restore/`]
      }
    }
  }
]

/** A second emulator, seeded and timed like the fixture's: its own virtual clock, from the same moment. */
async function twinOf(api: Api): Promise<Api> {
  const clock = new VirtualClock(api.clock.now())
  const emulator = await startEmulator({
    jobSeconds: JOB_SECONDS,
    restoreSeconds: RESTORE_SECONDS,
    now: () => clock.now()
  })
  return new Api(emulator, clock)
}

/** Requests until the first write, sorted: reads made side by side may come in either order. */
function readsBeforeFirstWrite(api: Api): string[] {
  const requests = api.requests()
  const firstWrite = requests.findIndex(request => !request.startsWith('GET '))
  return (firstWrite === -1 ? requests : requests.slice(0, firstWrite)).sort()
}

describe('a dry run says exactly what the real run does', () => {
  test.for(ROWS)('$name', async (row, { api: dry }) => {
    const real = await twinOf(dry)
    try {
      const dryRow = row.seed(dry)
      const realRow = row.seed(real)
      // Seeded alike: the same ids on both.
      expect(dry.emulator.snapshots()).toEqual(real.emulator.snapshots())
      expect(dry.emulator.backups()).toEqual(real.emulator.backups())

      const dryStep = dry.step({ dryRun: true })
      await dryRow.run(dryStep)
      const realStep = real.step()
      await realRow.run(realStep)

      expect(real.writes()).toEqual(realRow.writes)
      expect(dryStep.recorder.outcome.planned.map(requestFor)).toEqual(real.writes())
      expect(dry.requests().length).toBeGreaterThan(0)
      expect(dry.writes()).toEqual([])
      expect(dry.requests().sort()).toEqual([...readsBeforeFirstWrite(real), ...(dryRow.dryReads ?? [])].sort())
      // The real run never reads what its writes' answers tell.
      for (const read of dryRow.dryReads ?? []) expect(real.requests()).not.toContain(read)
    } finally {
      await real.close()
    }
  })
})
