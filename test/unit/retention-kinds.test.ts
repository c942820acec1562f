// What retention does with the real kinds, as the action plans it: retentionOf over a server's
// snapshots or backups (which are the action's own, which count toward the provider's limit),
// then planCreate or planPrune with keep alone. The expected ids are written out.
import { describe, expect, it } from 'vitest'
import type { Backup, Snapshot } from '../../src/api/types.ts'
import { OperationError } from '../../src/errors.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../../src/kinds.ts'
import { planCreate, planPrune, retentionOf } from '../../src/plan/retention.ts'
import { backup, day, ids, PREFIX, rules, snapshot } from '../support/fixtures.ts'

/** After every item of these tests: they are made on day(id) of January 2025. */
const NOW = Date.parse(day(28))

const own = (id: number, fields: Partial<Snapshot> = {}) => snapshot({ id, created_at: day(id), ...fields })
function foreign(id: number, fields: Partial<Snapshot> = {}): Snapshot {
  return snapshot({ id, created_at: day(id), name: `manual-${id}`, ...fields })
}
const ownBackup = (id: number, fields: Partial<Backup> = {}) => backup({ id, created_at: day(id), ...fields })
function foreignBackup(id: number, fields: Partial<Backup> = {}): Backup {
  return backup({ id, created_at: day(id), description: 'Before the upgrade, by hand', ...fields })
}
const automatic = (id: number, fields: Partial<Backup> = {}) =>
  backup({ id, created_at: day(id), backup_type: 'automatic', description: 'Automatic daily backup', ...fields })
const ownSnapshot = (id: number) => own(id)
const ownManual = (id: number) => ownBackup(id)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index)

interface Options {
  prefix?: string
  now?: number
}

/** A create's plan from one read of the server's items, with keep alone; its new item is made at `now`. */
function create<T extends Snapshot | Backup>(kind: Kind<T>, items: T[], keep: number, options: Options = {}) {
  return planCreate(retentionOf(kind, items, options.prefix ?? PREFIX, rules({ keep }), options.now ?? NOW), {
    protect: false
  })
}

/** A prune's deletions, oldest first, with keep alone. */
function pruned<T extends Snapshot | Backup>(kind: Kind<T>, items: T[], keep: number): number[] {
  return ids(planPrune(retentionOf(kind, items, PREFIX, rules({ keep }), NOW)).deletions)
}

/** The deletions a create sends before its POST, to make room under the limit. */
function madeRoom<T extends Snapshot | Backup>(kind: Kind<T>, items: T[], options: Options = {}): number[] {
  // keep 1 keeps only the new item, so the rules let every other own item go and the limit alone decides.
  return ids(create(kind, items, 1, options).before)
}

describe('the provider limits retention works with', () => {
  it.each([
    { limit: '5 snapshots', room: (count: number) => madeRoom(SNAPSHOTS, range(1, count).map(ownSnapshot)), at: 5 },
    { limit: '10 manual backups', room: (count: number) => madeRoom(BACKUPS, range(1, count).map(ownManual)), at: 10 }
  ])('$limit: one fewer needs no room, at the limit the oldest goes before the create', ({ room, at }) => {
    expect(room(at - 1)).toEqual([])
    expect(room(at)).toEqual([1])
  })
})

describe('room before a create (snapshots, limit 5), with keep 1', () => {
  it.each([
    { case: 'no snapshot at all', items: [], deleted: [] },
    { case: 'four own, below the limit', items: range(1, 4).map(id => own(id)), deleted: [] },
    { case: 'four foreign, below the limit', items: range(1, 4).map(id => foreign(id)), deleted: [] },
    { case: 'five own at the limit: the oldest', items: range(1, 5).map(id => own(id)), deleted: [1] },
    { case: 'five own given in any order: still the oldest', items: [3, 5, 1, 4, 2].map(id => own(id)), deleted: [1] },
    {
      case: 'two foreign oldest and three own: the oldest own',
      items: [foreign(1), foreign(2), own(3), own(4), own(5)],
      deleted: [3]
    },
    {
      case: 'the oldest own in progress: the next oldest',
      items: [own(1, { status: 'in_progress' }), own(2), own(3), own(4), own(5)],
      deleted: [2]
    },
    {
      case: 'the oldest own one failed: it goes',
      items: [own(1, { status: 'failed' }), own(2), own(3), foreign(4), foreign(5)],
      deleted: [1]
    },
    { case: 'six own, over the limit: the two oldest', items: range(1, 6).map(id => own(id)), deleted: [1, 2] },
    {
      case: 'a prefix in another case is not own',
      items: [foreign(1, { name: 'GHA-old' }), own(2), own(3), own(4), own(5)],
      deleted: [2]
    }
  ])('$case → $deleted', ({ items, deleted }) => {
    expect(madeRoom(SNAPSHOTS, items)).toEqual(deleted)
  })

  it('counts items whatever their status toward the limit', () => {
    const items = [own(1), own(2), own(3), own(4, { status: 'in_progress' }), own(5, { status: 'failed' })]
    expect(madeRoom(SNAPSHOTS, items)).toEqual([1])
  })

  it('uses name_prefix to tell the action’s own', () => {
    const items = [own(1), own(2), own(3), foreign(4, { name: 'ci_4' }), foreign(5, { name: 'ci_5' })]
    expect(madeRoom(SNAPSHOTS, items, { prefix: 'ci_' })).toEqual([4])
  })

  it.each([
    { case: 'five foreign', items: range(1, 5).map(id => foreign(id)) },
    {
      case: 'four foreign and one own in progress',
      items: [foreign(1), foreign(2), foreign(3), foreign(4), own(5, { status: 'in_progress' })]
    },
    { case: 'five own, all in progress', items: range(1, 5).map(id => own(id, { status: 'in_progress' })) },
    { case: 'six, only one of them own: two must go', items: [own(1), ...range(2, 6).map(id => foreign(id))] }
  ])('refuses to make room when the items at the limit are not its own: $case', ({ items }) => {
    const plan = () => madeRoom(SNAPSHOTS, items)
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(/limit is 5/)
  })

  it('refuses to delete the only own one, the newest completed: four foreign and one own', () => {
    const items = [foreign(1), foreign(2), own(3), foreign(4), foreign(5)]
    expect(() => madeRoom(SNAPSHOTS, items)).toThrow(
      "the server already has 5 snapshots and the provider's limit is 5, so 1 must go before the create, " +
        "but the retention rules may delete none: 4 are not the action's own " +
        'and 3 is the newest completed, kept as a restore point. ' +
        'Delete 1 by hand (delete-snapshot with its snapshot_id). No snapshot was created.'
    )
  })
})

describe('room before a create (backups, limit 10 manual), with keep 1', () => {
  it.each([
    {
      case: 'nine manual and many automatic: automatic ones do not count',
      items: [...range(1, 9).map(id => ownBackup(id)), ...range(10, 20).map(id => automatic(id))],
      deleted: []
    },
    {
      case: 'ten own manual and older automatic: the oldest manual, never an automatic',
      items: [...range(1, 5).map(id => automatic(id)), ...range(6, 15).map(id => ownBackup(id))],
      deleted: [6]
    },
    {
      case: 'a manual backup without description is not own',
      items: [foreignBackup(1, { description: null }), ...range(2, 10).map(id => ownBackup(id))],
      deleted: [2]
    }
  ])('$case → $deleted', ({ items, deleted }) => {
    expect(madeRoom(BACKUPS, items)).toEqual(deleted)
  })

  it.each([
    { case: 'ten foreign manual', items: range(1, 10).map(id => foreignBackup(id)) },
    {
      case: 'ten foreign manual and an automatic one whose description starts with the prefix',
      items: [...range(1, 10).map(id => foreignBackup(id)), automatic(11, { description: `${PREFIX}nightly` })]
    }
  ])('refuses to make room: $case', ({ items }) => {
    const plan = () => madeRoom(BACKUPS, items)
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(/limit is 10/)
  })

  it('refuses to delete the only own one, the newest completed: nine foreign manual and one own', () => {
    const items = [...range(1, 9).map(id => foreignBackup(id)), ownBackup(10)]
    expect(() => madeRoom(BACKUPS, items)).toThrow(
      "the server already has 10 manual backups and the provider's limit is 10, so 1 must go before the create, " +
        "but the retention rules may delete none: 9 are not the action's own " +
        'and 10 is the newest completed, kept as a restore point. ' +
        'Delete 1 by hand (delete-backup with its backup_id). No manual backup was created.'
    )
  })
})

describe('a prune beyond keep (snapshots)', () => {
  it.each([
    { case: 'fewer own than keep', items: range(1, 3).map(id => own(id)), keep: 5, deleted: [] },
    { case: 'exactly keep own', items: range(1, 3).map(id => own(id)), keep: 3, deleted: [] },
    {
      case: 'keep 2 of 4 own: the two oldest, oldest first',
      items: range(1, 4).map(id => own(id)),
      keep: 2,
      deleted: [1, 2]
    },
    { case: 'given in any order: oldest first', items: [4, 1, 3, 2].map(id => own(id)), keep: 1, deleted: [1, 2, 3] },
    { case: 'nothing when every one is foreign', items: range(1, 5).map(id => foreign(id)), keep: 1, deleted: [] }
  ])('$case → $deleted', ({ items, keep, deleted }) => {
    expect(pruned(SNAPSHOTS, items, keep)).toEqual(deleted)
  })
})

describe('after a create, beyond keep (snapshots): the new item, made at now, takes one of the places', () => {
  it.each([
    {
      case: 'keep 1 of three own and the new one',
      items: range(1, 3).map(id => own(id)),
      keep: 1,
      now: NOW,
      before: [],
      after: [1, 2, 3]
    },
    {
      case: 'never the new item, even if the listed ones are dated after it: keep 2 keeps it and the newest listed',
      items: range(2, 3).map(id => own(id)),
      keep: 2,
      now: Date.parse(day(1)),
      before: [],
      after: [2]
    },
    {
      case: 'never one still in progress',
      items: [own(1, { status: 'in_progress' }), own(2), own(3)],
      keep: 1,
      now: NOW,
      before: [],
      after: [2, 3]
    },
    {
      case: 'never a foreign one, which takes no place among those kept (at the limit, so it goes before)',
      items: [foreign(1), own(2), own(3), foreign(4), foreign(6)],
      keep: 2,
      now: Date.parse(day(5)),
      before: [2],
      after: []
    }
  ])('$case → before $before, after $after', ({ items, keep, now, before, after }) => {
    const plan = create(SNAPSHOTS, items, keep, { now })
    expect(ids(plan.before)).toEqual(before)
    expect(ids(plan.after)).toEqual(after)
  })
})

describe('after a create, beyond keep (backups)', () => {
  it.each([
    {
      case: 'keep 2: the oldest own manual, never an automatic one',
      items: [...range(1, 4).map(id => automatic(id)), ...range(5, 7).map(id => ownBackup(id))],
      keep: 2,
      after: [5, 6]
    },
    {
      case: 'an automatic backup described with the prefix is not own',
      items: [automatic(1, { description: `${PREFIX}x` }), ownBackup(2)],
      keep: 1,
      after: [2]
    },
    {
      case: 'a manual backup made by hand is never touched',
      items: [foreignBackup(1), ownBackup(2), foreignBackup(3)],
      keep: 1,
      after: [2]
    }
  ])('$case → $after', ({ items, keep, after }) => {
    const plan = create(BACKUPS, items, keep)
    expect(ids(plan.before)).toEqual([])
    expect(ids(plan.after)).toEqual(after)
  })
})

describe("which items are the action's own: a prune with keep 1 and a newer own one deletes only them", () => {
  it.each([
    {
      case: 'a snapshot named with the prefix',
      item: snapshot({ id: 1, name: 'gha-acme-1-1-abc', description: null }),
      deleted: [1]
    },
    {
      case: 'a snapshot with a custom name and the marker opening its description',
      item: snapshot({ id: 2, name: 'pre-deploy-7', description: 'gha-acme-7-1-def Before deploy' }),
      deleted: [2]
    },
    {
      case: 'a snapshot made by hand',
      item: snapshot({ id: 3, name: 'before-upgrade', description: 'by hand' }),
      deleted: []
    },
    {
      case: 'a snapshot whose description only mentions the prefix later',
      item: snapshot({ id: 4, name: 'x', description: 'made by gha-acme' }),
      deleted: []
    }
  ])('$case → $deleted', ({ item, deleted }) => {
    expect(pruned(SNAPSHOTS, [item, own(20)], 1)).toEqual(deleted)
  })

  it.each([
    { case: 'a manual backup whose description starts with the prefix', item: backup({ id: 1 }), deleted: [1] },
    { case: 'a manual backup made by hand', item: backup({ id: 2, description: 'Before the upgrade' }), deleted: [] },
    {
      case: 'an automatic backup, whatever its description',
      item: backup({ id: 3, backup_type: 'automatic', description: 'gha-looks-like-ours' }),
      deleted: []
    }
  ])('$case → $deleted', ({ item, deleted }) => {
    expect(pruned(BACKUPS, [item, ownBackup(20)], 1)).toEqual(deleted)
  })
})

describe("planCreate: a create's deletions, before and after, from one read", () => {
  it('keep 0 (no rule): deletes nothing', () => {
    const plan = create(
      SNAPSHOTS,
      range(1, 4).map(id => own(id)),
      0
    )
    expect({ before: plan.before, after: plan.after }).toEqual({ before: [], after: [] })
  })

  it('keep 0 (no rule) at the limit: refused before anything is sent', () => {
    expect(() =>
      create(
        SNAPSHOTS,
        range(1, 5).map(id => own(id)),
        0
      )
    ).toThrow(
      "the server already has 5 snapshots, the provider's limit is 5, so the create would be refused; " +
        "set keep or another retention rule to rotate the action's own, or delete one by hand. No snapshot was created."
    )
  })

  it('keep 2 at the limit with five own: the oldest before, then all but the newest (the new one is the other)', () => {
    const plan = create(
      SNAPSHOTS,
      range(1, 5).map(id => own(id)),
      2
    )
    expect(ids(plan.before)).toEqual([1])
    expect(ids(plan.after)).toEqual([2, 3, 4])
  })

  it('keep 3 with foreign and in-progress ones: only own completed ones beyond keep', () => {
    const items = [own(1), foreign(2), own(3, { status: 'in_progress' }), own(4), own(5)]
    const plan = create(SNAPSHOTS, items, 3)
    expect(ids(plan.before)).toEqual([1])
    expect(ids(plan.after)).toEqual([])
  })

  it('keep 1 with failed ones: every own one goes after, failed included, the new one stays', () => {
    const plan = create(SNAPSHOTS, [own(1, { status: 'failed' }), own(2)], 1)
    expect(ids(plan.before)).toEqual([])
    expect(ids(plan.after)).toEqual([1, 2])
  })
})
