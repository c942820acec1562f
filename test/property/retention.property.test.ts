// The retention planner's promises, checked on random servers: timelines over two years with
// duplicate times, every status, own and foreign, protected or not, and random rule sets.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { COMPLETED, IN_PROGRESS, type Item } from '../../src/api/types.ts'
import { OperationError } from '../../src/errors.ts'
import { hasRules, planCreate, planPrune } from '../../src/plan/retention.ts'
import type { RetentionRules } from '../../src/plan/retention.ts'
import type { Keeper, RetentionInput, Verdict } from '../support/fixtures.ts'

/** Enough cases to meet the calendar's corners, few enough to keep the file well under a second or two. */
const RUNS = 300
const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const FIRST_DAY = Date.UTC(2025, 6, 1)
/** Two years, so that several new years (and 2026-W53) fall inside. */
const SPAN_MS = 730 * DAY_MS

/** An item that says of itself what the planner is told through the input's functions. */
interface Made extends Item {
  own: boolean
  guarded: boolean
  counts: boolean
}

type World = RetentionInput<Made>

const status = fc.oneof(
  { arbitrary: fc.constant(COMPLETED), weight: 4 },
  { arbitrary: fc.constant(IN_PROGRESS), weight: 1 },
  { arbitrary: fc.constant('failed'), weight: 1 }
)

/** A few moments over the two years, that the items cluster after. */
const MOMENTS = 6
const moment = fc.integer({ min: FIRST_DAY, max: FIRST_DAY + SPAN_MS })
const moments = fc.array(moment, { minLength: MOMENTS, maxLength: MOMENTS })
const upTo = (max: number) => fc.integer({ min: 0, max })
/** After one of the moments: at the same instant, or within an hour, a day or 40 days (ties and crowded periods). */
const offset = fc.oneof(fc.constant(0), upTo(HOUR_MS), upTo(DAY_MS), upTo(40 * DAY_MS))

const draft = fc.record({
  moment: fc.nat(MOMENTS - 1),
  offset,
  status,
  own: fc.integer({ min: 0, max: 3 }).map(n => n > 0),
  guarded: fc.integer({ min: 0, max: 4 }).map(n => n === 0),
  // Own items always count toward the limit; a foreign one may not (an automatic backup).
  counts: fc.boolean()
})

/** Up to 24 items, ids 1, 2, 3 … in an order that has nothing to do with their times. */
const timeline: fc.Arbitrary<Made[]> = fc
  .tuple(moments, fc.array(draft, { maxLength: 24, size: 'medium' }))
  .map(([times, drafts]) => drafts.map((one, index) => made(index + 1, (times[one.moment] ?? 0) + one.offset, one)))

type Drafted = Pick<Made, 'status' | 'own' | 'guarded' | 'counts'>

const JUST_MADE: Drafted = { status: COMPLETED, own: true, guarded: false, counts: true }

function made(id: number, time: number, { status, own, guarded, counts }: Drafted): Made {
  return {
    id,
    server: { id: 1, name: 'web' },
    size_mb: null,
    description: null,
    created_at: new Date(time).toISOString(),
    status,
    own,
    guarded,
    counts: own || counts
  }
}

const ruleCount = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: 1, max }))

const rules: fc.Arbitrary<RetentionRules> = fc.record({
  keep: ruleCount(6),
  keepWithinMs: fc.option(fc.integer({ min: 0, max: 60 * DAY_MS }), { nil: undefined }),
  keepDaily: ruleCount(10),
  keepWeekly: ruleCount(8),
  keepMonthly: ruleCount(6)
})

const setRules = rules.filter(hasRules)

const NO_RULES: RetentionRules = { keep: 0, keepWithinMs: undefined, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }

/** A server and the rules; `now` from a little before the newest item (a clock behind) to a week after. */
const world = (withRules: fc.Arbitrary<RetentionRules> = rules): fc.Arbitrary<World> =>
  fc
    .record({
      items: timeline,
      rules: withRules,
      // At the limit, a little below or a little over it.
      roomLeft: fc.integer({ min: -2, max: 2 }),
      late: fc.integer({ min: -HOUR_MS, max: 7 * DAY_MS })
    })
    .map(({ items, rules, roomLeft, late }) => ({
      items,
      isOwn: item => item.own,
      isProtected: item => item.guarded,
      countsTowardLimit: item => item.counts,
      limit: Math.max(1, items.filter(item => item.counts).length + roomLeft),
      noun: 'snapshot',
      rules,
      now: newestTime(items) + late
    }))

function newestTime(items: Made[]): number {
  return Math.max(FIRST_DAY, ...items.map(item => Date.parse(item.created_at)))
}

/** The planner's order, written out here again: later first, and of two made at once the higher id. */
function newerFirst(a: Made, b: Made): number {
  return Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id
}

const idsOf = (items: Made[]) => items.map(item => item.id)
const sortedIds = (items: Made[]) => idsOf(items).sort((a, b) => a - b)
const without = (items: Made[], gone: Made[]) => items.filter(item => !gone.includes(item))

function newestCompletedOwn(items: Made[]): Made | undefined {
  return [...items].sort(newerFirst).find(item => item.own && item.status === COMPLETED)
}

/** A create that can always make room: what it would delete once the new item is done. */
function wouldGoAfterCreate(input: World): Made[] {
  return planCreate({ ...input, limit: Infinity }, { protect: false }).after
}

/** What a create deletes to make room, or nothing when it is refused. */
function deletedBeforeCreate(input: World): Made[] {
  try {
    return planCreate(input, { protect: false }).before
  } catch (error) {
    if (error instanceof OperationError) return []
    throw error
  }
}

function keptIdsOfPrune(input: World): number[] {
  const { verdicts } = planPrune(input)
  return sortedIds(verdicts.filter(verdict => verdict.keptBy.length > 0).map(verdict => verdict.item))
}

/** Each rule that is set, alone, with the keeper a verdict names it by. */
function eachRuleAlone(set: RetentionRules): Array<{ keeper: Keeper; rules: RetentionRules }> {
  const alone: Array<{ keeper: Keeper; rules: RetentionRules }> = [
    { keeper: 'keep', rules: { ...NO_RULES, keep: set.keep } },
    { keeper: 'within', rules: { ...NO_RULES, keepWithinMs: set.keepWithinMs } },
    { keeper: 'daily', rules: { ...NO_RULES, keepDaily: set.keepDaily } },
    { keeper: 'weekly', rules: { ...NO_RULES, keepWeekly: set.keepWeekly } },
    { keeper: 'monthly', rules: { ...NO_RULES, keepMonthly: set.keepMonthly } }
  ]
  return alone.filter(({ rules }) => hasRules(rules))
}

function idsKeptBy(verdicts: Verdict<Made>[], keeper: Keeper): number[] {
  return sortedIds(verdicts.filter(verdict => verdict.keptBy.includes(keeper)).map(verdict => verdict.item))
}

/** Both rule sets at once: the larger count of each, the longer span. */
function together(base: RetentionRules, more: RetentionRules): RetentionRules {
  const spans = [base.keepWithinMs, more.keepWithinMs].filter(span => span !== undefined)
  return {
    keep: Math.max(base.keep, more.keep),
    keepWithinMs: spans.length === 0 ? undefined : Math.max(...spans),
    keepDaily: Math.max(base.keepDaily, more.keepDaily),
    keepWeekly: Math.max(base.keepWeekly, more.keepWeekly),
    keepMonthly: Math.max(base.keepMonthly, more.keepMonthly)
  }
}

function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void): void {
  fc.assert(fc.property(arbitrary, predicate), { numRuns: RUNS })
}

describe('planPrune and planCreate, on random servers', () => {
  it('running the planner again on what it kept deletes nothing more', () => {
    check(world(), input => {
      const caughtUp = { ...input, now: Math.max(input.now, newestTime(input.items)) }
      const pruned = planPrune(caughtUp)
      expect(planPrune({ ...caughtUp, items: without(caughtUp.items, pruned.deletions) }).deletions).toEqual([])

      const created = planCreate({ ...caughtUp, limit: Infinity }, { protect: false })
      const newItem = made(caughtUp.items.length + 1, caughtUp.now, JUST_MADE)
      const afterCreate = [...without(caughtUp.items, created.after), newItem]
      expect(planPrune({ ...caughtUp, items: afterCreate }).deletions).toEqual([])
    })
  })

  it('never deletes a protected, in-progress or just-made item, or the newest completed own item', () => {
    check(world(), input => {
      const untouchable = (item: Made) => item.guarded || item.status === IN_PROGRESS
      const newest = newestCompletedOwn(input.items)
      const { deletions } = planPrune(input)
      expect(deletions.filter(untouchable)).toEqual([])
      expect(newest === undefined || !deletions.includes(newest)).toBe(true)

      const before = deletedBeforeCreate(input)
      const deleted = [...before, ...wouldGoAfterCreate(input)]
      expect(deleted.filter(untouchable)).toEqual([])
      // If the create then fails, the server still has its newest restore point.
      expect(newest === undefined || !before.includes(newest)).toBe(true)
      // Only items the server had: never the one being made.
      expect(deleted.every(item => input.items.includes(item))).toBe(true)
    })
  })

  it('never touches a foreign item', () => {
    check(world(), input => {
      const own = input.items.filter(item => item.own)
      const pruned = planPrune(input)
      expect(sortedIds(pruned.verdicts.map(verdict => verdict.item))).toEqual(sortedIds(own))
      expect(pruned.deletions.every(item => item.own)).toBe(true)
      const created = planCreate({ ...input, limit: Infinity }, { protect: false })
      expect(sortedIds(created.verdicts.map(verdict => verdict.item))).toEqual(sortedIds(own))
      expect([...deletedBeforeCreate(input), ...created.after].every(item => item.own)).toBe(true)
    })
  })

  it('lists own items newest first and deletes oldest first', () => {
    check(world(), input => {
      const { verdicts, deletions } = planPrune(input)
      const listed = verdicts.map(verdict => verdict.item)
      expect(idsOf(listed)).toEqual(idsOf([...listed].sort(newerFirst)))
      expect(idsOf(deletions)).toEqual(idsOf([...deletions].sort(newerFirst).reverse()))
    })
  })

  it('the kept set is the union of what each rule keeps alone', () => {
    check(world(setRules), input => {
      const alone = eachRuleAlone(input.rules)
      const union = new Set(alone.flatMap(({ rules }) => keptIdsOfPrune({ ...input, rules })))
      expect(keptIdsOfPrune(input)).toEqual([...union].sort((a, b) => a - b))
      // And each rule keeps the same items among the others as alone, so the summary names them all.
      const { verdicts } = planPrune(input)
      for (const { keeper, rules } of alone) {
        expect(idsKeptBy(verdicts, keeper)).toEqual(idsKeptBy(planPrune({ ...input, rules }).verdicts, keeper))
      }

      const wouldGo = alone.map(({ rules }) => new Set(idsOf(wouldGoAfterCreate({ ...input, rules }))))
      const goneUnderAll = input.items.filter(item => item.own && wouldGo.every(gone => gone.has(item.id)))
      expect(sortedIds(wouldGoAfterCreate(input))).toEqual(sortedIds(goneUnderAll))
    })
  })

  it('adding a rule never deletes more', () => {
    check(fc.tuple(world(setRules), rules), ([input, more]) => {
      const stricter = { ...input, rules: together(input.rules, more) }
      const deletedBefore = new Set(idsOf(planPrune(input).deletions))
      expect(planPrune(stricter).deletions.every(item => deletedBefore.has(item.id))).toBe(true)
      const goneBefore = new Set(idsOf(wouldGoAfterCreate(input)))
      expect(wouldGoAfterCreate(stricter).every(item => goneBefore.has(item.id))).toBe(true)
    })
  })

  it('protecting the new item never deletes more, and keeps as many others as a prune would', () => {
    check(world(setRules), input => {
      const roomy = { ...input, limit: Infinity }
      const gone = new Set(idsOf(planCreate(roomy, { protect: false }).after))
      const goneBeside = planCreate(roomy, { protect: true }).after
      expect(goneBeside.every(item => gone.has(item.id))).toBe(true)
      // Counted by no rule, a protected new item leaves the others as a prune of them would: but for the newest
      // completed, which in a create is the new item, and so may go.
      const newest = newestCompletedOwn(input.items)
      const pruned = idsOf(planPrune(input).deletions)
      expect(idsOf(goneBeside).filter(id => id !== newest?.id)).toEqual(pruned.filter(id => id !== newest?.id))
    })
  })
})

const epochDay = (time: number) => Math.floor(time / DAY_MS)

/** The calendar rules, their periods worked out otherwise than the planner does. */
const CALENDAR_RULES = [
  { rule: 'keepDaily', keeper: 'daily', periodOf: epochDay },
  // 1970-01-01 was a Thursday: shifted by 3 days, every block of 7 starts on a Monday, as ISO weeks do.
  { rule: 'keepWeekly', keeper: 'weekly', periodOf: (time: number) => Math.floor((epochDay(time) + 3) / 7) },
  { rule: 'keepMonthly', keeper: 'monthly', periodOf: (time: number) => new Date(time).toISOString().slice(0, 7) }
] as const

/** What the rules count: own completed unprotected items, newest first. */
function countedByRules(items: Made[]): Made[] {
  return items.filter(item => item.own && item.status === COMPLETED && !item.guarded).sort(newerFirst)
}

/** A calendar rule's promise: the newest of each of the N newest periods that have a counted item. */
function newestOfLastPeriods(items: Made[], count: number, periodOf: (time: number) => unknown): number[] {
  const counted = countedByRules(items)
  const newestOfPeriod = new Map<unknown, Made>()
  for (const item of counted) {
    const period = periodOf(Date.parse(item.created_at))
    if (!newestOfPeriod.has(period)) newestOfPeriod.set(period, item)
  }
  return sortedIds([...newestOfPeriod.values()].slice(0, count))
}

describe('each rule alone, against a model of its own', () => {
  it('keep: the newest N', () => {
    check(fc.tuple(world(), fc.integer({ min: 1, max: 8 })), ([input, keep]) => {
      const { verdicts } = planPrune({ ...input, rules: { ...NO_RULES, keep } })
      expect(idsKeptBy(verdicts, 'keep')).toEqual(sortedIds(countedByRules(input.items).slice(0, keep)))
    })
  })

  it('keep_within: every one made at or after now minus the span, the edge often on an item', () => {
    const span = fc.oneof(
      fc.integer({ min: 0, max: 60 * DAY_MS }),
      fc.nat().map(pick => ({ pick }))
    )
    check(fc.tuple(world(), span), ([input, chosen]) => {
      const times = input.items.map(item => Date.parse(item.created_at))
      const edge = typeof chosen === 'number' ? input.now - chosen : (times[chosen.pick % times.length] ?? input.now)
      const keepWithinMs = Math.max(0, input.now - edge)
      const { verdicts } = planPrune({ ...input, rules: { ...NO_RULES, keepWithinMs } })
      const within = countedByRules(input.items).filter(item => Date.parse(item.created_at) >= input.now - keepWithinMs)
      expect(idsKeptBy(verdicts, 'within')).toEqual(sortedIds(within))
    })
  })

  it.each(CALENDAR_RULES)('$rule: the newest of each of the last N periods with one', ({ rule, keeper, periodOf }) => {
    check(fc.tuple(world(), fc.integer({ min: 1, max: 8 })), ([input, count]) => {
      const { verdicts } = planPrune({ ...input, rules: { ...NO_RULES, [rule]: count } })
      expect(idsKeptBy(verdicts, keeper)).toEqual(newestOfLastPeriods(input.items, count, periodOf))
    })
  })
})

describe("planCreate: before is the fewest that makes room, all among after's would-be deletions", () => {
  it('oldest first (or it throws only when that is impossible)', () => {
    check(world(), input => {
      const wouldGo = wouldGoAfterCreate(input)
      const excess = input.items.filter(item => item.counts).length - input.limit + 1
      const newest = newestCompletedOwn(input.items)
      const eligible = wouldGo.filter(item => item.counts && item !== newest)
      const plan = () => planCreate(input, { protect: false })
      if (excess <= 0) {
        expect(idsOf(plan().before)).toEqual([])
        expect(idsOf(plan().after)).toEqual(idsOf(wouldGo))
        return
      }
      if (!hasRules(input.rules) || eligible.length < excess) {
        expect(plan).toThrow(OperationError)
        return
      }
      const { before, after } = plan()
      expect(before).toHaveLength(excess)
      expect(before.every(item => eligible.includes(item))).toBe(true)
      expect(idsOf(before)).toEqual(idsOf([...before].sort(newerFirst).reverse()))
      const newestBefore = before.at(-1)
      expect(without(eligible, before).every(item => newestBefore && newerFirst(item, newestBefore) < 0)).toBe(true)
      expect(sortedIds(after)).toEqual(sortedIds(without(wouldGo, before)))
    })
  })
})
