// Which own snapshots retention keeps and which it deletes, on timelines told as stories: the
// expected ids are written out, never worked out by the planner under test.
import { describe, expect, it } from 'vitest'
import { COMPLETED, IN_PROGRESS, type Backup, type Snapshot } from '../../src/api/types.ts'
import { OperationError } from '../../src/errors.ts'
import { BACKUPS, SNAPSHOTS, type Kind } from '../../src/kinds.ts'
import { describeVerdict, hasRules, planCreate, planPrune, type RetentionRules } from '../../src/plan/retention.ts'
import { backup, ids, PREFIX, snapshot, type Keeper, type RetentionInput, type Verdict } from '../support/fixtures.ts'

type Listed = Snapshot | Backup
type Rules = Partial<RetentionRules>

const FAILED = 'failed'
/** How these tests mark an item made with protect (the planner is told through isProtected). */
const PROTECTED_MARK = '[protected]'
const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** `2027-01-31 09:00` (UTC) as the API writes it; a date alone is at noon. */
const utc = (text: string) => (text.length === 10 ? `${text}T12:00Z` : `${text.replace(' ', 'T')}Z`)
const own = (id: number, at: string, status = COMPLETED) => snapshot({ id, created_at: utc(at), status })
const foreign = (id: number, at: string) => snapshot({ id, created_at: utc(at), name: `manual-${id}` })
const guarded = (id: number, at: string, status = COMPLETED) =>
  snapshot({ id, created_at: utc(at), status, description: `${PREFIX}octo-app ${PROTECTED_MARK}` })
const january = (day: number) => `2027-01-${String(day).padStart(2, '0')}`
/** Own snapshots made at noon on those days of January 2027, each day's number its id: `daily(1, 2, 3)`. */
const daily = (...days: number[]) => days.map(day => own(day, january(day)))
/** The same, made by hand. */
const foreignDaily = (...days: number[]) => days.map(day => foreign(day, january(day)))

function rulesOf(set: Rules): RetentionRules {
  return { keep: 0, keepWithinMs: undefined, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, ...set }
}

/** The input the action builds: the real kinds' ownership and limits, protect read from the item. */
function retentionOf<T extends Listed>(kind: Kind<T>, items: T[], rules: Rules, now: string): RetentionInput<T> {
  return {
    items,
    isOwn: item => kind.isOwn(item, PREFIX),
    isProtected: item => (item.description ?? '').endsWith(PROTECTED_MARK),
    countsTowardLimit: item => kind.countsTowardLimit(item),
    limit: kind.limit,
    noun: kind.noun,
    rules: rulesOf(rules),
    now: Date.parse(utc(now))
  }
}

function keptIds<T extends Listed>(verdicts: Verdict<T>[]): number[] {
  return ids(verdicts.filter(verdict => verdict.keptBy.length > 0).map(verdict => verdict.item))
}

/** What keeps each item, by id. */
function keepers<T extends Listed>(verdicts: Verdict<T>[]): Record<number, Keeper[]> {
  return Object.fromEntries(verdicts.map(verdict => [verdict.item.id, verdict.keptBy]))
}

const WEEKS_APART = [
  own(1, '2027-01-04'), // Monday, W01
  own(2, '2027-01-10'), // Sunday, W01
  own(3, '2027-02-01'), // Monday, W05
  own(4, '2027-02-03'), // Wednesday, W05
  own(5, '2027-03-01') // Monday, W09
]

const AROUND_NEW_YEAR = [
  own(1, '2026-12-21'), // Monday, 2026-W52
  own(2, '2026-12-27'), // Sunday, 2026-W52
  own(3, '2026-12-28'), // Monday, 2026-W53
  own(4, '2027-01-03'), // Sunday, still 2026-W53
  own(5, '2027-01-04') // Monday, 2027-W01
]

const MONTH_ENDS = [
  own(1, '2027-01-30 10:00'),
  own(2, '2027-01-31 23:59:59'),
  own(3, '2027-02-01 00:00'),
  own(4, '2027-02-28 23:00'), // the last day of February 2027
  own(5, '2027-03-01 00:00')
]

const SEVERAL_A_DAY = [
  own(1, '2027-01-01 08:00'),
  own(2, '2027-01-01 12:00'),
  own(3, '2027-01-01 18:00'),
  own(4, '2027-01-02 09:00'),
  own(5, '2027-01-02 21:00'),
  own(6, '2027-01-03 10:00')
]

const SIX_MONTHS_OF_THEM = [
  own(1, '2026-11-15'),
  own(2, '2026-12-10'),
  own(3, '2026-12-20'),
  own(4, '2027-01-02 08:00'),
  own(5, '2027-01-02 20:00'),
  own(6, '2027-01-03')
]

describe('planPrune: what each rule keeps (kept newest first, deleted oldest first)', () => {
  it.each([
    {
      story: 'keep 2 of five, one a day',
      rules: { keep: 2 },
      now: '2027-01-06',
      items: daily(1, 2, 3, 4, 5),
      kept: [5, 4],
      deleted: [1, 2, 3]
    },
    {
      story: 'keep more than there are: all stay',
      rules: { keep: 9 },
      now: '2027-01-04',
      items: daily(1, 2, 3),
      kept: [3, 2, 1],
      deleted: []
    },
    {
      story: 'several a day, keep_daily 2: the newest of the last two days that have one',
      rules: { keepDaily: 2 },
      now: '2027-01-03',
      items: SEVERAL_A_DAY,
      kept: [6, 5],
      deleted: [1, 2, 3, 4]
    },
    {
      story: 'several a day, keep_daily 3: each day its newest, never two of one day',
      rules: { keepDaily: 3 },
      now: '2027-01-03',
      items: SEVERAL_A_DAY,
      kept: [6, 5, 3],
      deleted: [1, 2, 4]
    },
    {
      story: 'days apart, keep_daily 3: counts the days that have one, however far back',
      rules: { keepDaily: 3 },
      now: '2027-01-25',
      items: daily(1, 2, 10, 20),
      kept: [20, 10, 2],
      deleted: [1]
    },
    {
      story: 'weeks apart, keep_weekly 2: the newest of each of the last two weeks with one',
      rules: { keepWeekly: 2 },
      now: '2027-03-02',
      items: WEEKS_APART,
      kept: [5, 4],
      deleted: [1, 2, 3]
    },
    {
      story: 'weeks apart, keep_weekly 3: a week ends on Sunday',
      rules: { keepWeekly: 3 },
      now: '2027-03-02',
      items: WEEKS_APART,
      kept: [5, 4, 2],
      deleted: [1, 3]
    },
    {
      story: 'keep_weekly 2 across the new year: 2026-12-28 … 2027-01-03 is one week, 2026-W53',
      rules: { keepWeekly: 2 },
      now: '2027-01-05',
      items: AROUND_NEW_YEAR,
      kept: [5, 4],
      deleted: [1, 2, 3]
    },
    {
      story: 'keep_weekly 3 across the new year: W01, W53, then W52',
      rules: { keepWeekly: 3 },
      now: '2027-01-05',
      items: AROUND_NEW_YEAR,
      kept: [5, 4, 2],
      deleted: [1, 3]
    },
    {
      story: 'keep_monthly 2 on the same days: the year, not the week, splits them',
      rules: { keepMonthly: 2 },
      now: '2027-01-05',
      items: AROUND_NEW_YEAR,
      kept: [5, 3],
      deleted: [1, 2, 4]
    },
    {
      story: 'keep_monthly 3 at month ends: Jan 31 23:59:59 is January, Feb 28 ends February',
      rules: { keepMonthly: 3 },
      now: '2027-03-02',
      items: MONTH_ENDS,
      kept: [5, 4, 2],
      deleted: [1, 3]
    },
    {
      story: 'keep_daily 3 at the same month ends: Mar 1, Feb 28 and Feb 1 are the last days with one',
      rules: { keepDaily: 3 },
      now: '2027-03-02',
      items: MONTH_ENDS,
      kept: [5, 4, 3],
      deleted: [1, 2]
    },
    {
      story: 'three made at the same instant, keep 2: the higher id is the newer',
      rules: { keep: 2 },
      now: '2027-01-06',
      items: [own(7, '2027-01-05'), own(9, '2027-01-05'), own(8, '2027-01-05')],
      kept: [9, 8],
      deleted: [7]
    },
    {
      story: 'three made at the same instant, keep_daily 1: the highest id is that day’s newest',
      rules: { keepDaily: 1 },
      now: '2027-01-06',
      items: [own(8, '2027-01-05'), own(7, '2027-01-05'), own(9, '2027-01-05')],
      kept: [9],
      deleted: [7, 8]
    },
    {
      story: 'keep_within 7d: one made exactly 7 days ago stays, one made 1 ms earlier goes',
      rules: { keepWithinMs: 7 * DAY_MS },
      now: '2027-01-08 12:00',
      items: [own(1, '2027-01-01 11:59:59.999'), own(2, '2027-01-01 12:00:00.000'), own(3, '2027-01-05')],
      kept: [3, 2],
      deleted: [1]
    },
    {
      story: 'keep_within 1h that keeps none: the newest completed stays all the same',
      rules: { keepWithinMs: HOUR_MS },
      now: '2027-01-10',
      items: daily(1, 2, 3),
      kept: [3],
      deleted: [1, 2]
    },
    {
      story: 'keep 2 with two protected: they stay and take no place among the two',
      rules: { keep: 2 },
      now: '2027-01-06',
      items: [...daily(1), guarded(2, '2027-01-02'), ...daily(3), guarded(4, '2027-01-04'), ...daily(5)],
      kept: [5, 4, 3, 2],
      deleted: [1]
    },
    {
      story: 'keep_daily 1 with the newest protected: the daily one is the newest unprotected',
      rules: { keepDaily: 1 },
      now: '2027-01-06',
      items: [...daily(1, 2, 3), own(4, '2027-01-05 09:00'), guarded(5, '2027-01-05 12:00')],
      kept: [5, 4],
      deleted: [1, 2, 3]
    },
    {
      story: 'keep 3 with failed ones: a failed one takes no place and goes, even the newest',
      rules: { keep: 3 },
      now: '2027-01-06',
      items: [...daily(1), own(2, '2027-01-02', FAILED), ...daily(3), own(4, '2027-01-04', FAILED)],
      kept: [3, 1],
      deleted: [2, 4]
    },
    {
      story: 'a failed one made with protect stays',
      rules: { keep: 1 },
      now: '2027-01-06',
      items: [guarded(1, '2027-01-01', FAILED), ...daily(2, 3)],
      kept: [3, 1],
      deleted: [2]
    },
    {
      story: 'keep 1 with the newest still in progress: it stays, and so does the newest completed',
      rules: { keep: 1 },
      now: '2027-01-06',
      items: [...daily(1, 2), own(3, '2027-01-03', IN_PROGRESS)],
      kept: [3, 2],
      deleted: [1]
    },
    {
      story: 'keep 1 among foreign ones: they are neither kept nor deleted, nor counted',
      rules: { keep: 1 },
      now: '2027-01-06',
      items: [...foreignDaily(1), ...daily(2), ...foreignDaily(3), ...daily(4), ...foreignDaily(5)],
      kept: [4],
      deleted: [2]
    },
    {
      story: 'keep 1, keep_daily 2 and keep_monthly 3 together: the union',
      rules: { keep: 1, keepDaily: 2, keepMonthly: 3 },
      now: '2027-01-04',
      items: SIX_MONTHS_OF_THEM,
      kept: [6, 5, 3, 1],
      deleted: [2, 4]
    },
    {
      story: 'no rule set: nothing is deleted, not even a failed one',
      rules: {},
      now: '2027-01-06',
      items: [own(1, '2027-01-01', FAILED), ...daily(2), ...foreignDaily(3), ...daily(4)],
      kept: [4, 2, 1],
      deleted: []
    }
  ])('$story', ({ rules, now, items, kept, deleted }) => {
    const { verdicts, deletions } = planPrune(retentionOf(SNAPSHOTS, items, rules, now))
    expect(keptIds(verdicts)).toEqual(kept)
    expect(ids(deletions)).toEqual(deleted)
  })

  it('says what keeps each own item, rules in the order they are listed, and nothing for one that goes', () => {
    const items = [
      ...SIX_MONTHS_OF_THEM.slice(0, 3),
      own(4, '2027-01-02 08:00', FAILED),
      own(5, '2027-01-02 20:00'),
      guarded(6, '2027-01-03 09:00'),
      own(7, '2027-01-03 12:00'),
      own(8, '2027-01-03 13:00', IN_PROGRESS),
      foreign(9, '2027-01-03 14:00')
    ]
    const rules = { keep: 1, keepDaily: 2, keepMonthly: 3, keepWithinMs: 2 * DAY_MS }
    const { verdicts } = planPrune(retentionOf(SNAPSHOTS, items, rules, '2027-01-04 12:00'))
    expect(ids(verdicts.map(verdict => verdict.item))).toEqual([8, 7, 6, 5, 4, 3, 2, 1])
    expect(keepers(verdicts)).toEqual({
      8: ['in progress'],
      7: ['keep', 'daily', 'monthly', 'within', 'newest completed'],
      6: ['protected'],
      5: ['daily', 'within'],
      4: [],
      3: ['monthly'],
      2: [],
      1: ['monthly']
    })
  })

  it('keeps every own item when no rule is set, saying so', () => {
    const items = [own(1, '2027-01-01', FAILED), ...daily(2), guarded(3, '2027-01-03'), ...daily(4)]
    const { verdicts } = planPrune(retentionOf(SNAPSHOTS, items, {}, '2027-01-06'))
    expect(keepers(verdicts)).toEqual({ 4: ['newest completed'], 3: ['protected'], 2: ['no rules'], 1: ['no rules'] })
  })
})

describe('planCreate: the new item counts as the newest (limit 5 snapshots)', () => {
  it.each([
    {
      story: 'below the limit, keep 3: the new one takes a place, the two oldest go after',
      rules: { keep: 3 },
      now: '2027-01-05',
      items: daily(1, 2, 3, 4),
      before: [],
      after: [1, 2]
    },
    {
      story: 'at the limit, keep 3: the oldest before, the rest after',
      rules: { keep: 3 },
      now: '2027-01-06',
      items: daily(1, 2, 3, 4, 5),
      before: [1],
      after: [2, 3]
    },
    {
      story: 'at the limit with two foreign, keep 2: the oldest own before, never a foreign one',
      rules: { keep: 2 },
      now: '2027-01-06',
      items: [...foreignDaily(1, 2), ...daily(3, 4, 5)],
      before: [3],
      after: [4]
    },
    {
      story: 'over the limit by one, keep 2: the two oldest before',
      rules: { keep: 2 },
      now: '2027-01-07',
      items: daily(1, 2, 3, 4, 5, 6),
      before: [1, 2],
      after: [3, 4, 5]
    },
    {
      story: 'at the limit, keep_daily 3: yesterday’s and the day before’s stay beside today’s new one',
      rules: { keepDaily: 3 },
      now: '2027-01-06',
      items: daily(1, 2, 3, 4, 5),
      before: [1],
      after: [2, 3]
    },
    {
      story: 'at the limit, keep_daily 3, a second create the same day: the earlier one of today goes, after',
      rules: { keepDaily: 3 },
      now: '2027-01-05 18:00',
      items: daily(1, 2, 3, 4, 5),
      before: [1],
      after: [2, 5]
    },
    {
      story: 'at the limit, keep 1, the oldest own still in progress: the next oldest before',
      rules: { keep: 1 },
      now: '2027-01-06',
      items: [own(1, '2027-01-01', IN_PROGRESS), ...daily(2, 3, 4, 5)],
      before: [2],
      after: [3, 4, 5]
    },
    {
      story: 'at the limit, keep 1: the newest completed goes only after, a newer failed one before',
      rules: { keep: 1 },
      now: '2027-01-06',
      items: [...foreignDaily(1, 2, 3), ...daily(4), own(5, '2027-01-05', FAILED)],
      before: [5],
      after: [4]
    },
    {
      story: 'at the limit, keep 4 and a protected oldest: the oldest unprotected before',
      rules: { keep: 4 },
      now: '2027-01-06',
      items: [guarded(1, '2027-01-01'), ...daily(2, 3, 4, 5)],
      before: [2],
      after: []
    },
    {
      story: 'at the limit, keep_within 2d: the one made exactly 2 days before the create stays',
      rules: { keepWithinMs: 2 * DAY_MS },
      now: '2027-01-05 12:00',
      items: [...daily(1, 2), own(3, '2027-01-03 11:59:59.999'), own(4, '2027-01-03 12:00'), ...daily(5)],
      before: [1],
      after: [2, 3]
    },
    {
      story: 'no rule set, below the limit: nothing is deleted',
      rules: {},
      now: '2027-01-05',
      items: [own(1, '2027-01-01', FAILED), ...daily(2, 3, 4)],
      before: [],
      after: []
    }
  ])('$story', ({ rules, now, items, before, after }) => {
    const plan = planCreate(retentionOf(SNAPSHOTS, items, rules, now), { protect: false })
    expect(ids(plan.before)).toEqual(before)
    expect(ids(plan.after)).toEqual(after)
  })

  it('lists every existing own item newest first, those it deletes kept by nothing', () => {
    const items = [...foreignDaily(1), ...daily(2, 3, 4, 5)]
    const { verdicts } = planCreate(retentionOf(SNAPSHOTS, items, { keep: 2 }, '2027-01-06'), { protect: false })
    // The new item is the newest completed now, so the previous newest is kept by keep alone.
    expect(keepers(verdicts)).toEqual({ 5: ['keep'], 4: [], 3: [], 2: [] })
    expect(ids(verdicts.map(verdict => verdict.item))).toEqual([5, 4, 3, 2])
  })

  it('makes room among manual backups only: automatic ones neither count nor go', () => {
    const nightly = { backup_type: 'automatic', description: null } as const
    const automatic = (id: number) => backup({ id, created_at: utc('2026-12-01'), ...nightly })
    const manual = (id: number) => backup({ id, created_at: utc(january(id)) })
    const items = [automatic(20), automatic(21), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(manual)]
    const plan = planCreate(retentionOf(BACKUPS, items, { keep: 8 }, '2027-01-11'), { protect: false })
    expect(ids(plan.before)).toEqual([1])
    expect(ids(plan.after)).toEqual([2, 3])
  })
})

describe('planCreate with protect: the new item is kept, and counted by no rule', () => {
  it('keep 1 keeps the newest everyday item beside a protected new one, where an unprotected new one takes its place', () => {
    const input = retentionOf(SNAPSHOTS, daily(1, 2, 3), { keep: 1 }, '2027-01-06')
    const protectedPlan = planCreate(input, { protect: true })
    expect(ids(protectedPlan.after)).toEqual([1, 2])
    expect(protectedPlan.newItem).toEqual(['protected'])
    const plainPlan = planCreate(input, { protect: false })
    expect(ids(plainPlan.after)).toEqual([1, 2, 3])
    expect(plainPlan.newItem).toEqual(['keep'])
  })

  it('keep_daily 2 counts the days of the everyday items only: a protected new one takes no day', () => {
    const input = retentionOf(SNAPSHOTS, daily(3, 4, 5), { keepDaily: 2 }, '2027-01-06')
    expect(ids(planCreate(input, { protect: true }).after)).toEqual([3])
    expect(ids(planCreate(input, { protect: false }).after)).toEqual([3, 4])
  })

  it("says which rules keep an unprotected new item: the summary's row for it", () => {
    const input = retentionOf(SNAPSHOTS, daily(1, 2), { keep: 2, keepDaily: 7, keepMonthly: 1 }, '2027-01-06')
    expect(planCreate(input, { protect: false }).newItem).toEqual(['keep', 'daily', 'monthly'])
  })
})

describe('planCreate refuses before any POST when the rules keep too many to make room', () => {
  it('names the limit, how many count, which items each rule keeps, what to loosen and how to delete by hand', () => {
    const plan = () =>
      planCreate(retentionOf(SNAPSHOTS, daily(1, 2, 3, 4, 5), { keepDaily: 6 }, '2027-01-06'), { protect: false })
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(
      "the server already has 5 snapshots and the provider's limit is 5, " +
        'so 1 must go before the create, but the retention rules may delete none: ' +
        '5, 4, 3, 2 and 1 are kept by keep_daily. ' +
        'Loosen keep_daily, or delete 1 by hand (delete-snapshot with its snapshot_id). No snapshot was created.'
    )
  })

  it.each([
    {
      story: 'keep 3 and three protected',
      rules: { keep: 3 },
      items: [guarded(1, '2027-01-01'), guarded(2, '2027-01-02'), guarded(3, '2027-01-03'), ...daily(4, 5)],
      says: ['5 and 4 are kept by keep and 3, 2 and 1 are protected.', 'Loosen keep, or delete 1 by hand']
    },
    {
      story: 'keep 2 and keep_weekly 5, one a week, the last on the Monday of the create’s week',
      rules: { keep: 2, keepWeekly: 5 },
      items: [
        own(1, '2026-12-07'), // 2026-W50
        own(2, '2026-12-14'),
        own(3, '2026-12-21'),
        own(4, '2026-12-28'), // 2026-W53
        own(5, '2027-01-04') // 2027-W01, as is the create on 2027-01-06
      ],
      says: [
        '5 is kept by keep and 4, 3, 2 and 1 are kept by keep_weekly.',
        'Loosen keep or keep_weekly, or delete 1 by hand'
      ]
    },
    {
      story: 'keep_within 5d, its edge kept, and keep_monthly 2',
      rules: { keepWithinMs: 5 * DAY_MS, keepMonthly: 2 },
      items: [own(1, '2026-12-20'), ...daily(2, 3, 4, 5)],
      says: [
        '5, 4, 3 and 2 are kept by keep_within and 1 is kept by keep_monthly.',
        'Loosen keep_monthly or keep_within, or delete'
      ]
    },
    {
      story: 'keep 1, three foreign, one in progress and the newest completed',
      rules: { keep: 1 },
      items: [...foreignDaily(1, 2, 3), ...daily(4), own(5, '2027-01-05', IN_PROGRESS)],
      says: [
        "may delete none: 3 are not the action's own, 5 is in progress",
        'and 4 is the newest completed, kept as a restore point.',
        'Delete 1 by hand (delete-snapshot with its snapshot_id). No snapshot was created.'
      ]
    },
    {
      story: 'keep 2 with six, four of them foreign: two must go, one may',
      rules: { keep: 2 },
      items: [...foreignDaily(1, 2, 3, 4), ...daily(5, 6)],
      says: [
        'already has 6 snapshots',
        'so 2 must go before the create, but the retention rules may delete only 1:',
        "6 is kept by keep and 4 are not the action's own.",
        'Loosen keep, or delete 1 by hand (delete-snapshot with its snapshot_id). No snapshot was created.'
      ]
    }
  ])('$story', ({ rules, items, says }) => {
    const plan = () => planCreate(retentionOf(SNAPSHOTS, items, rules, '2027-01-06'), { protect: false })
    expect(plan).toThrow(OperationError)
    for (const words of says) expect(plan).toThrow(words)
  })

  it('without a rule, refuses at the limit as the provider would, saying to set keep', () => {
    const plan = () => planCreate(retentionOf(SNAPSHOTS, daily(1, 2, 3, 4, 5), {}, '2027-01-06'), { protect: false })
    expect(plan).toThrow(OperationError)
    expect(plan).toThrow(
      "the server already has 5 snapshots, the provider's limit is 5, so the create would be refused; " +
        "set keep or another retention rule to rotate the action's own, or delete one by hand. " +
        'No snapshot was created.'
    )
  })
})

describe('hasRules', () => {
  it.each([
    { rules: {}, set: false },
    { rules: { keep: 1 }, set: true },
    { rules: { keepWithinMs: 0 }, set: true },
    { rules: { keepDaily: 1 }, set: true },
    { rules: { keepWeekly: 1 }, set: true },
    { rules: { keepMonthly: 1 }, set: true }
  ])('$rules → $set', ({ rules, set }) => {
    expect(hasRules(rulesOf(rules))).toBe(set)
  })
})

describe('describeVerdict: the words of the job summary', () => {
  it.each<{ keptBy: Keeper[]; rules: Rules; words: string | undefined }>([
    // Nothing keeps it: it goes, and the summary says whether it was deleted or would be.
    { keptBy: [], rules: { keep: 3 }, words: undefined },
    {
      keptBy: ['keep', 'daily', 'within'],
      rules: { keep: 3, keepDaily: 7, keepWithinMs: 5 * DAY_MS },
      words: 'kept: newest 3, daily, within 5d'
    },
    { keptBy: ['weekly', 'monthly'], rules: { keepWeekly: 4, keepMonthly: 6 }, words: 'kept: weekly, monthly' },
    { keptBy: ['protected'], rules: { keep: 1 }, words: 'kept: protected' },
    { keptBy: ['in progress'], rules: { keep: 1 }, words: 'kept: in progress' },
    { keptBy: ['newest completed'], rules: { keep: 1 }, words: 'kept: newest completed' },
    { keptBy: ['no rules'], rules: {}, words: 'kept: no retention rule set' },
    { keptBy: ['within'], rules: { keepWithinMs: 36 * HOUR_MS }, words: 'kept: within 1d12h' },
    { keptBy: ['within'], rules: { keepWithinMs: 7 * DAY_MS }, words: 'kept: within 1w' },
    { keptBy: ['within'], rules: { keepWithinMs: 15 * DAY_MS + 90 * MINUTE_MS }, words: 'kept: within 2w1d1h30m' },
    { keptBy: ['within'], rules: { keepWithinMs: 45_000 }, words: 'kept: within 45s' },
    { keptBy: ['within'], rules: { keepWithinMs: 0 }, words: 'kept: within 0s' }
  ])('$keptBy → $words', ({ keptBy, rules, words }) => {
    expect(describeVerdict(keptBy, rulesOf(rules))).toBe(words)
  })
})
