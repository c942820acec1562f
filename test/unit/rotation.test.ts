// Which snapshots and backups rotation deletes: a pure function of the server's list.
import { describe, expect, it } from 'vitest'
import type { Backup, Snapshot } from '../../src/api/types.ts'
import { OperationError } from '../../src/errors.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../../src/kinds.ts'
import { deletionsBeforeCreate, deletionsBeyondKeep, planRotation, type RotationInput } from '../../src/plan/rotation.ts'
import { backup, day, ids, PREFIX, snapshot } from '../support/fixtures.ts'

/** The input rotation gets in the action: the real kinds' ownership rules and limits. */
function rotationOf<T extends Snapshot | Backup>(kind: Kind<T>, items: T[], prefix = PREFIX): RotationInput<T> {
  return {
    items,
    isOwn: item => kind.isOwn(item, prefix),
    countsTowardLimit: item => kind.countsTowardLimit(item),
    limit: kind.limit,
    noun: kind.noun
  }
}

const own = (id: number, fields: Partial<Snapshot> = {}) => snapshot({ id, created_at: day(id), ...fields })
const foreign = (id: number, fields: Partial<Snapshot> = {}) => snapshot({ id, created_at: day(id), name: `manual-${id}`, ...fields })
const ownBackup = (id: number, fields: Partial<Backup> = {}) => backup({ id, created_at: day(id), ...fields })
const foreignBackup = (id: number, fields: Partial<Backup> = {}) => backup({ id, created_at: day(id), description: 'Before the upgrade, by hand', ...fields })
const automatic = (id: number, fields: Partial<Backup> = {}) =>
  backup({ id, created_at: day(id), backup_type: 'automatic', description: 'Automatic daily backup', ...fields })
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index)

describe('the provider limits rotation works with', () => {
  it('are 5 snapshots and 10 manual backups per server', () => {
    expect(SNAPSHOTS.limit).toBe(5)
    expect(BACKUPS.limit).toBe(10)
  })
})

describe('deletionsBeforeCreate (snapshots, limit 5)', () => {
  it.each([
    { case: 'no snapshot at all', items: [], deleted: [] },
    { case: 'four own, below the limit', items: range(1, 4).map(id => own(id)), deleted: [] },
    { case: 'four foreign, below the limit', items: range(1, 4).map(id => foreign(id)), deleted: [] },
    { case: 'five own at the limit: the oldest', items: range(1, 5).map(id => own(id)), deleted: [1] },
    { case: 'five own given in any order: still the oldest', items: [3, 5, 1, 4, 2].map(id => own(id)), deleted: [1] },
    { case: 'two foreign oldest and three own: the oldest own', items: [foreign(1), foreign(2), own(3), own(4), own(5)], deleted: [3] },
    { case: 'the oldest own in progress: the next oldest', items: [own(1, { status: 'in_progress' }), own(2), own(3), own(4), own(5)], deleted: [2] },
    { case: 'the oldest own one failed: it goes', items: [own(1, { status: 'failed' }), own(2), own(3), foreign(4), foreign(5)], deleted: [1] },
    { case: 'six own, over the limit: the two oldest', items: range(1, 6).map(id => own(id)), deleted: [1, 2] },
    { case: 'four foreign and one own: that own one', items: [foreign(1), foreign(2), own(3), foreign(4), foreign(5)], deleted: [3] },
    {
      case: 'a prefix in another case is not own',
      items: [foreign(1, { name: 'GHA-old' }), own(2), own(3), own(4), own(5)],
      deleted: [2]
    }
  ])('$case → $deleted', ({ items, deleted }) => {
    expect(ids(deletionsBeforeCreate(rotationOf(SNAPSHOTS, items)))).toEqual(deleted)
  })

  it('counts items whatever their status toward the limit', () => {
    const items = [own(1), own(2), own(3), own(4, { status: 'in_progress' }), own(5, { status: 'failed' })]
    expect(ids(deletionsBeforeCreate(rotationOf(SNAPSHOTS, items)))).toEqual([1])
  })

  it('uses name_prefix to tell the action’s own', () => {
    const items = [own(1), own(2), own(3), foreign(4, { name: 'ci_4' }), foreign(5, { name: 'ci_5' })]
    expect(ids(deletionsBeforeCreate(rotationOf(SNAPSHOTS, items, 'ci_')))).toEqual([4])
  })

  it.each([
    { case: 'five foreign', items: range(1, 5).map(id => foreign(id)) },
    { case: 'four foreign and one own in progress', items: [foreign(1), foreign(2), foreign(3), foreign(4), own(5, { status: 'in_progress' })] },
    { case: 'five own, all in progress', items: range(1, 5).map(id => own(id, { status: 'in_progress' })) },
    { case: 'six, only one of them own: two must go', items: [own(1), ...range(2, 6).map(id => foreign(id))] }
  ])('refuses to make room when the items at the limit are not its own: $case', ({ items }) => {
    const plan = () => deletionsBeforeCreate(rotationOf(SNAPSHOTS, items))
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(/limit is 5/)
  })
})

describe('deletionsBeforeCreate (backups, limit 10 manual)', () => {
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
      case: 'nine foreign manual and one own: the own one',
      items: [...range(1, 9).map(id => foreignBackup(id)), ownBackup(10)],
      deleted: [10]
    },
    {
      case: 'a manual backup without description is not own',
      items: [foreignBackup(1, { description: null }), ...range(2, 10).map(id => ownBackup(id))],
      deleted: [2]
    }
  ])('$case → $deleted', ({ items, deleted }) => {
    expect(ids(deletionsBeforeCreate(rotationOf(BACKUPS, items)))).toEqual(deleted)
  })

  it.each([
    { case: 'ten foreign manual', items: range(1, 10).map(id => foreignBackup(id)) },
    {
      case: 'ten foreign manual and an automatic one whose description starts with the prefix',
      items: [...range(1, 10).map(id => foreignBackup(id)), automatic(11, { description: `${PREFIX}nightly` })]
    }
  ])('refuses to make room: $case', ({ items }) => {
    const plan = () => deletionsBeforeCreate(rotationOf(BACKUPS, items))
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(/limit is 10/)
  })
})

describe('deletionsBeyondKeep (snapshots)', () => {
  it.each([
    { case: 'fewer own than keep', items: range(1, 3).map(id => own(id)), keep: 5, newId: undefined, deleted: [] },
    { case: 'exactly keep own', items: range(1, 3).map(id => own(id)), keep: 3, newId: undefined, deleted: [] },
    { case: 'keep 2 of 4 own: the two oldest, oldest first', items: range(1, 4).map(id => own(id)), keep: 2, newId: undefined, deleted: [1, 2] },
    { case: 'keep 1 of 4 own with the new one newest', items: range(1, 4).map(id => own(id)), keep: 1, newId: 4, deleted: [1, 2, 3] },
    { case: 'given in any order: oldest first', items: [4, 1, 3, 2].map(id => own(id)), keep: 1, newId: undefined, deleted: [1, 2, 3] },
    { case: 'never the new item, even if not the newest', items: range(1, 3).map(id => own(id)), keep: 1, newId: 1, deleted: [2] },
    {
      case: 'never one still in progress',
      items: [own(1, { status: 'in_progress' }), own(2), own(3), own(4)],
      keep: 1,
      newId: 4,
      deleted: [2, 3]
    },
    {
      case: 'never a foreign one, which takes no place among those kept',
      items: [foreign(1), own(2), own(3), foreign(4), own(5), foreign(6)],
      keep: 2,
      newId: 5,
      deleted: [2]
    },
    { case: 'nothing when every one is foreign', items: range(1, 5).map(id => foreign(id)), keep: 1, newId: undefined, deleted: [] }
  ])('$case → $deleted', ({ items, keep, newId, deleted }) => {
    expect(ids(deletionsBeyondKeep(rotationOf(SNAPSHOTS, items), keep, newId))).toEqual(deleted)
  })
})

describe('deletionsBeyondKeep (backups)', () => {
  it.each([
    {
      case: 'keep 2: the oldest own manual, never an automatic one',
      items: [...range(1, 4).map(id => automatic(id)), ...range(5, 8).map(id => ownBackup(id))],
      keep: 2,
      newId: 8,
      deleted: [5, 6]
    },
    {
      case: 'an automatic backup described with the prefix is not own',
      items: [automatic(1, { description: `${PREFIX}x` }), ownBackup(2), ownBackup(3)],
      keep: 1,
      newId: 3,
      deleted: [2]
    },
    {
      case: 'a manual backup made by hand is never touched',
      items: [foreignBackup(1), ownBackup(2), foreignBackup(3), ownBackup(4)],
      keep: 1,
      newId: 4,
      deleted: [2]
    }
  ])('$case → $deleted', ({ items, keep, newId, deleted }) => {
    expect(ids(deletionsBeyondKeep(rotationOf(BACKUPS, items), keep, newId))).toEqual(deleted)
  })
})

describe("which items are the action's own", () => {
  it.each([
    ['a snapshot named with the prefix', snapshot({ id: 1, name: 'gha-acme-1-1-abc', description: null }), true],
    [
      'a snapshot with a custom name and the marker opening its description',
      snapshot({ id: 2, name: 'pre-deploy-7', description: 'gha-acme-7-1-def Before deploy' }),
      true
    ],
    ['a snapshot made by hand', snapshot({ id: 3, name: 'before-upgrade', description: 'by hand' }), false],
    ['a snapshot whose description only mentions the prefix later', snapshot({ id: 4, name: 'x', description: 'made by gha-acme' }), false]
  ])('%s: %s', (_case, item, own) => {
    expect(SNAPSHOTS.isOwn(item, PREFIX)).toBe(own)
  })

  it.each([
    ['a manual backup whose description starts with the prefix', backup({ id: 1 }), true],
    ['a manual backup made by hand', backup({ id: 2, description: 'Before the upgrade' }), false],
    ['an automatic backup, whatever its description', backup({ id: 3, backup_type: 'automatic', description: 'gha-looks-like-ours' }), false]
  ])('%s: %s', (_case, item, own) => {
    expect(BACKUPS.isOwn(item, PREFIX)).toBe(own)
  })
})

describe("planRotation: a create's deletions, before and after, from one read", () => {
  it('keep 0: deletes nothing', () => {
    expect(
      planRotation(
        rotationOf(
          SNAPSHOTS,
          range(1, 4).map(id => own(id))
        ),
        0
      )
    ).toEqual({ before: [], after: [] })
  })

  it('keep 0 at the limit: refused before anything is sent', () => {
    expect(() =>
      planRotation(
        rotationOf(
          SNAPSHOTS,
          range(1, 5).map(id => own(id))
        ),
        0
      )
    ).toThrow(
      "the server already has 5 snapshots, the provider's limit is 5, so the create would be refused; set keep to rotate the action's own, or delete one by hand. No snapshot was created."
    )
  })

  it('keep 2 at the limit with five own: the oldest before, then all but the newest (the new one takes the other place)', () => {
    const plan = planRotation(
      rotationOf(
        SNAPSHOTS,
        range(1, 5).map(id => own(id))
      ),
      2
    )
    expect(ids(plan.before)).toEqual([1])
    expect(ids(plan.after)).toEqual([2, 3, 4])
  })

  it('keep 3 with foreign and in-progress ones: only own completed ones beyond keep, after', () => {
    const items = [own(1), foreign(2), own(3, { status: 'in_progress' }), own(4), own(5)]
    const plan = planRotation(rotationOf(SNAPSHOTS, items), 3)
    expect(ids(plan.before)).toEqual([1])
    expect(ids(plan.after)).toEqual([])
  })

  it('keep 1 with failed ones: every own one goes after, failed included, the new one stays', () => {
    const plan = planRotation(rotationOf(SNAPSHOTS, [own(1, { status: 'failed' }), own(2)]), 1)
    expect(ids(plan.before)).toEqual([])
    expect(ids(plan.after)).toEqual([1, 2])
  })
})
