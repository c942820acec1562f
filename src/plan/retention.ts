// Which of the action's own snapshots or backups retention keeps, and why: a pure function of the
// server's items, the rules and the time it is handed, so a dry run and a real run plan alike.
import { COMPLETED, IN_PROGRESS, type Backup, type Item, type Snapshot } from '../api/types.ts'
import type { Kind } from '../kinds.ts'
import { OperationError } from '../errors.ts'
import { capitalise } from '../format.ts'
import { newestFirst } from './selection.ts'

export interface RetentionRules {
  /** The newest N own completed items (the new item of a create counts as the newest). 0 = rule off. */
  keep: number
  /** Every own completed item created at or after now - keepWithinMs (the edge is kept). undefined = off. */
  keepWithinMs: number | undefined
  /** For each of the last N UTC days that have an own completed item, that day's newest. */
  keepDaily: number
  /** The same by ISO week: weeks start on Monday, so 2026-12-28 … 2027-01-03 is one week (2026-W53). */
  keepWeekly: number
  /** The same by UTC calendar month. */
  keepMonthly: number
}

type RuleKeeper = 'keep' | 'daily' | 'weekly' | 'monthly' | 'within'
/** What keeps an item whatever the rules say. */
type Guard = 'protected' | 'in progress' | 'newest completed'
/** Why an item stays: a rule, a guard, or that no rule is set (so nothing is deleted). */
export type Keeper = RuleKeeper | Guard | 'no rules'

/** An own item and what keeps it; none ⇒ the item goes. */
export interface Verdict<T> {
  item: T
  keptBy: Keeper[]
}

interface RetentionInput<T extends Item> {
  /** Every item of the kind on one server, in any order, foreign ones too. */
  items: T[]
  /** Made by this action. */
  isOwn: (item: T) => boolean
  /** An own item created with protect: never deleted, and not counted by the rules. */
  isProtected: (item: T) => boolean
  countsTowardLimit: (item: T) => boolean
  /** The provider's limit per server: 5 snapshots, 10 manual backups. */
  limit: number
  /** `snapshot` or `backup`, for messages. */
  noun: string
  rules: RetentionRules
  /** Epoch milliseconds: the planner has no clock of its own. */
  now: number
}

interface Rule {
  keeper: RuleKeeper
  /** The action input that sets it, for messages that say what to loosen. */
  input: string
  isSet(rules: RetentionRules): boolean
  /** Which of the counted creation times, newest first, it keeps. */
  keeps(times: number[], rules: RetentionRules, now: number): boolean[]
}

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
const WEEK_MS = 7 * DAY_MS

/** Every rule, in the order a verdict names them. */
const RULES: Rule[] = [
  { keeper: 'keep', input: 'keep', isSet: rules => rules.keep > 0, keeps: keptNewest },
  calendarRule('daily', 'keep_daily', 'keepDaily', utcDay),
  calendarRule('weekly', 'keep_weekly', 'keepWeekly', isoWeek),
  calendarRule('monthly', 'keep_monthly', 'keepMonthly', utcMonth),
  { keeper: 'within', input: 'keep_within', isSet: rules => rules.keepWithinMs !== undefined, keeps: keptWithin }
]

export function hasRules(rules: RetentionRules): boolean {
  return RULES.some(rule => rule.isSet(rules))
}

interface PrunePlan<T> {
  /** Every own item, newest first. */
  verdicts: Verdict<T>[]
  /** Oldest first. */
  deletions: T[]
}

interface CreatePlan<T> {
  /** Before the create, to make room under the limit: oldest first. */
  before: T[]
  /** Once the new item is completed: oldest first, none of `before`. */
  after: T[]
  /** Every existing own item, newest first; those of `before` and `after` kept by nothing. */
  verdicts: Verdict<T>[]
  /** What keeps the new item itself: the rules it counts for, or its protection. */
  newItem: Keeper[]
}

/** A create refused at the provider's limit: what each item's verdict was, for the job summary. */
export class RetentionRefusal<T> extends OperationError {
  override readonly name = 'RetentionRefusal'
  readonly verdicts: Verdict<T>[]

  constructor(message: string, verdicts: Verdict<T>[]) {
    super(message)
    this.verdicts = verdicts
  }
}

/** A prune: every own item, newest first, with what keeps it; the deletions oldest first. */
export function planPrune<T extends Item>(input: RetentionInput<T>): PrunePlan<T> {
  const { verdicts } = judge(input)
  return { verdicts, deletions: goners(verdicts) }
}

/**
 * A create, whose new item counts as an own completed item created at `now`, newer than every
 * other (unless it is made protected: then, like every protected item, the rules do not count
 * it): `before` makes room under the limit (the fewest, oldest first, among those `after` would
 * delete), `after` deletes the rest once the new item is completed. Throws a RetentionRefusal
 * when the server is at the limit and the rules keep too many to make room.
 */
export function planCreate<T extends Item>(input: RetentionInput<T>, made: { protect: boolean }): CreatePlan<T> {
  const { verdicts, newItem } = judge(input, { at: input.now, counted: !made.protect })
  const wouldGo = goners(verdicts)
  const before = roomForOneMore(input, verdicts, wouldGo)
  return {
    before,
    after: wouldGo.filter(item => !before.includes(item)),
    verdicts,
    newItem: made.protect ? ['protected'] : newItem
  }
}

/** A create's new item: when it is made, and whether the rules count it (they do not count a protected one). */
interface NewItem {
  at: number
  counted: boolean
}

/**
 * `kept: newest 3, daily, within 5d` or `kept: protected`: what keeps an item, in the job
 * summary's words; undefined when nothing does and the item goes (the summary says whether it
 * was deleted, or would be).
 */
export function describeVerdict(keptBy: Keeper[], rules: RetentionRules): string | undefined {
  return keptBy.length === 0 ? undefined : `kept: ${keptBy.map(keeper => KEEPER_WORDS[keeper](rules)).join(', ')}`
}

const KEEPER_WORDS: Record<Keeper, (rules: RetentionRules) => string> = {
  keep: rules => `newest ${rules.keep}`,
  daily: () => 'daily',
  weekly: () => 'weekly',
  monthly: () => 'monthly',
  within: rules => `within ${formatSpan(rules.keepWithinMs ?? 0)}`,
  protected: () => 'protected',
  'in progress': () => 'in progress',
  'newest completed': () => 'newest completed',
  'no rules': () => 'no retention rule set'
}

/**
 * Every own item, newest first, with what keeps it; a create's new item is the newest of all, and
 * `newItem` says which rules keep it (none when the rules do not count it).
 */
function judge<T extends Item>(
  input: RetentionInput<T>,
  made?: NewItem
): { verdicts: Verdict<T>[]; newItem: Keeper[] } {
  const own = ownNewestFirst(input)
  const byRules = keptByRules(input, own, made)
  // In a create the new item is the newest completed, so an older one may go once it is done.
  const newestCompleted = made === undefined ? own.find(item => item.status === COMPLETED) : undefined
  const verdicts = own.map(item => {
    const keptBy = [...(byRules.byItem.get(item) ?? []), ...guards(input, item, newestCompleted)]
    return { item, keptBy: keptBy.length === 0 && !hasRules(input.rules) ? (['no rules'] as Keeper[]) : keptBy }
  })
  return { verdicts, newItem: byRules.newItem }
}

/** The rules see only own completed unprotected items, and the new item of a create (unless protected) before them all. */
function keptByRules<T extends Item>(
  input: RetentionInput<T>,
  own: T[],
  made?: NewItem
): { byItem: Map<T, Keeper[]>; newItem: Keeper[] } {
  const counted = own.filter(item => item.status === COMPLETED && !input.isProtected(item))
  const times = counted.map(item => Date.parse(item.created_at))
  const keepers = ruleKeepers(made?.counted ? [made.at, ...times] : times, input.rules, input.now)
  const ofCounted = made?.counted ? keepers.slice(1) : keepers
  return {
    byItem: new Map(counted.map((item, index) => [item, ofCounted[index] ?? []])),
    newItem: made?.counted ? (keepers[0] ?? []) : []
  }
}

/** For each creation time, newest first, the rules that keep it. */
function ruleKeepers(times: number[], rules: RetentionRules, now: number): Keeper[][] {
  const kept = RULES.map(rule => rule.keeps(times, rules, now))
  return times.map((_, index) => RULES.filter((_rule, ruleIndex) => kept[ruleIndex]?.[index]).map(rule => rule.keeper))
}

/** What keeps an own item whatever the rules say. */
function guards<T extends Item>(input: RetentionInput<T>, item: T, newestCompleted: T | undefined): Keeper[] {
  const keptBy: Keeper[] = []
  if (input.isProtected(item)) keptBy.push('protected')
  if (item.status === IN_PROGRESS) keptBy.push('in progress')
  // So that rotation never leaves the server without a restore point.
  if (item === newestCompleted) keptBy.push('newest completed')
  return keptBy
}

function ownNewestFirst<T extends Item>(input: RetentionInput<T>): T[] {
  return newestFirst(input.items.filter(item => input.isOwn(item)))
}

/** The items no verdict keeps, oldest first. */
function goners<T>(verdicts: Verdict<T>[]): T[] {
  return verdicts
    .filter(verdict => verdict.keptBy.length === 0)
    .map(verdict => verdict.item)
    .reverse()
}

function keptNewest(times: number[], rules: RetentionRules): boolean[] {
  return times.map((_, index) => index < rules.keep)
}

function keptWithin(times: number[], rules: RetentionRules, now: number): boolean[] {
  return times.map(time => rules.keepWithinMs !== undefined && time >= now - rules.keepWithinMs)
}

type CalendarCount = 'keepDaily' | 'keepWeekly' | 'keepMonthly'
/** The name of the day, week or month a creation time falls in. */
type PeriodOf = (time: number) => string

/** A calendar rule: the newest item of each of the last N periods that have one. */
function calendarRule(keeper: RuleKeeper, input: string, count: CalendarCount, periodOf: PeriodOf): Rule {
  return {
    keeper,
    input,
    isSet: rules => rules[count] > 0,
    keeps: (times, rules) => newestOfPeriods(times, rules[count], periodOf)
  }
}

/** restic's walk, newest first: keep an item whose period differs from the last kept one, until `count` are kept. */
function newestOfPeriods(times: number[], count: number, periodOf: PeriodOf): boolean[] {
  const keptPeriods: string[] = []
  return times.map(time => {
    const period = periodOf(time)
    if (keptPeriods.length >= count || keptPeriods.at(-1) === period) return false
    keptPeriods.push(period)
    return true
  })
}

function utcDay(time: number): string {
  const date = new Date(time)
  return `${date.getUTCFullYear()}-${date.getUTCMonth() + 1}-${date.getUTCDate()}`
}

function utcMonth(time: number): string {
  const date = new Date(time)
  return `${date.getUTCFullYear()}-${date.getUTCMonth() + 1}`
}

/** `2026-W53`: a week belongs to the ISO week-year of its Thursday. */
function isoWeek(time: number): string {
  const date = new Date(time)
  const daysSinceMonday = (date.getUTCDay() + 6) % 7
  const thursday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - daysSinceMonday + 3)
  const year = new Date(thursday).getUTCFullYear()
  return `${year}-W${Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS) + 1}`
}

/** The units keep_within takes, largest first. */
const SPAN_UNITS: Array<[string, number]> = [
  ['w', WEEK_MS],
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', SECOND_MS]
]

/** `5d`, `2w` (not `14d`), `1d12h`: a span in whole units, largest first; what is left below a second is dropped. */
function formatSpan(ms: number): string {
  let rest = ms
  const parts = SPAN_UNITS.flatMap(([unit, size]) => {
    const count = Math.floor(rest / size)
    rest -= count * size
    return count > 0 ? [`${count}${unit}`] : []
  })
  return parts.join('') || '0s'
}

/** At the limit, the fewest of the would-be deletions that make room for the new item, oldest first. */
function roomForOneMore<T extends Item>(input: RetentionInput<T>, verdicts: Verdict<T>[], wouldGo: T[]): T[] {
  const counted = input.items.filter(item => input.countsTowardLimit(item))
  const excess = counted.length - input.limit + 1
  if (excess <= 0) return []
  if (!hasRules(input.rules)) throw refusedWithoutRules(input, counted.length, verdicts)
  const newestCompleted = ownNewestFirst(input).find(item => item.status === COMPLETED)
  // If the create then fails, the server still has the restore point it had.
  const candidates = wouldGo.filter(item => item !== newestCompleted && input.countsTowardLimit(item))
  if (candidates.length < excess) {
    throw cannotMakeRoom(input, { counted, verdicts, candidates, excess, newestCompleted })
  }
  return candidates.slice(0, excess)
}

/** Without a rule nothing is deleted, so a server at the limit refuses the create, as the provider would. */
function refusedWithoutRules<T extends Item>(
  input: RetentionInput<T>,
  counted: number,
  verdicts: Verdict<T>[]
): OperationError {
  const situation = `the server already has ${counted} ${input.noun}s, the provider's limit is ${input.limit}`
  const advice = "set keep or another retention rule to rotate the action's own, or delete one by hand"
  return new RetentionRefusal(
    `${situation}, so the create would be refused; ${advice}. No ${input.noun} was created.`,
    verdicts
  )
}

interface Shortfall<T> {
  /** Every item that counts toward the limit. */
  counted: T[]
  verdicts: Verdict<T>[]
  /** Those that may be deleted before the create: too few. */
  candidates: T[]
  /** How many must go. */
  excess: number
  newestCompleted: T | undefined
}

/**
 * The rules (or the items not the action's to delete) keep too many: say which item stays for
 * what, which rules to loosen, and how to delete one by hand.
 */
function cannotMakeRoom<T extends Item>(input: RetentionInput<T>, shortfall: Shortfall<T>): OperationError {
  const { counted, candidates, excess } = shortfall
  const keeping = new Set(counted.flatMap(item => ruleInputsKeeping(shortfall, item)))
  const loosen = RULES.map(rule => rule.input).filter(input => keeping.has(input))
  const kind = input.noun.endsWith('backup') ? 'backup' : 'snapshot'
  const missing = excess - candidates.length
  const byHand = `delete ${missing} by hand (delete-${kind} with its ${kind}_id)`
  const situation = `the server already has ${counted.length} ${input.noun}s and the provider's limit is ${input.limit}`
  const allowed = candidates.length === 0 ? 'none' : `only ${candidates.length}`
  const shortage = `so ${excess} must go before the create, but the retention rules may delete ${allowed}`
  const advice = loosen.length > 0 ? `Loosen ${listing(loosen, 'or')}, or ${byHand}` : capitalise(byHand)
  const message = `${situation}, ${shortage}: ${listing(whatStays(input, shortfall), 'and')}. ${advice}.`
  return new RetentionRefusal(`${message} No ${input.noun} was created.`, shortfall.verdicts)
}

/** Why the counted items that may not go stay: the kept ones by id, newest first, with the rules that keep them. */
function whatStays<T extends Item>(input: RetentionInput<T>, shortfall: Shortfall<T>): string[] {
  const { newestCompleted } = shortfall
  const counted = newestFirst(shortfall.counted)
  const keptBy = verdictsByItem(shortfall.verdicts)
  const byRules = counted.filter(item => ruleInputsKeeping(shortfall, item).length > 0)
  const shielded = counted.filter(item => !byRules.includes(item) && keptBy(item).includes('protected'))
  const busy = counted.filter(
    item => !byRules.includes(item) && !shielded.includes(item) && keptBy(item).includes('in progress')
  )
  const foreign = counted.filter(item => !input.isOwn(item)).length
  // Kept by nothing, yet not a candidate: it stays as the server's restore point.
  const newestStays = counted.find(item => item === newestCompleted && keptBy(item).length === 0)
  const groups = new Map<string, T[]>()
  for (const item of byRules) {
    const rules = listing(ruleInputsKeeping(shortfall, item), 'and')
    groups.set(rules, [...(groups.get(rules) ?? []), item])
  }
  return [
    ...[...groups].map(([rules, items]) => `${idsAre(items)} kept by ${rules}`),
    shielded.length > 0 ? `${idsAre(shielded)} protected` : '',
    foreign > 0 ? `${are(foreign)} not the action's own` : '',
    busy.length > 0 ? `${idsAre(busy)} in progress` : '',
    newestStays ? `${newestStays.id} is the newest completed, kept as a restore point` : ''
  ].filter(part => part !== '')
}

/** `801 is`, `801 and 802 are`. */
function idsAre(items: Item[]): string {
  return `${listing(
    items.map(item => String(item.id)),
    'and'
  )} ${items.length === 1 ? 'is' : 'are'}`
}

/** The inputs of the rules that keep an item: `keep`, `keep_daily`, …; protect is no rule to loosen. */
function ruleInputsKeeping<T extends Item>(shortfall: Shortfall<T>, item: T): string[] {
  const keptBy = verdictsByItem(shortfall.verdicts)(item)
  return RULES.filter(rule => keptBy.includes(rule.keeper)).map(rule => rule.input)
}

function verdictsByItem<T>(verdicts: Verdict<T>[]): (item: T) => Keeper[] {
  const keptBy = new Map(verdicts.map(verdict => [verdict.item, verdict.keptBy]))
  return item => keptBy.get(item) ?? []
}

function are(count: number): string {
  return `${count} ${count === 1 ? 'is' : 'are'}`
}

/** `a, b and c`, or `a, b or c`. */
function listing(parts: string[], conjunction: 'and' | 'or'): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} ${conjunction} ${parts.at(-1)}`
}

/**
 * A server's items of one kind as retention sees them: the kind says which are the action's own, protected, and counted
 * toward the limit.
 */
export function retentionOf<T extends Snapshot | Backup>(
  kind: Kind<T>,
  items: T[],
  namePrefix: string,
  rules: RetentionRules,
  now: number
): RetentionInput<T> {
  return {
    items,
    isOwn: item => kind.isOwn(item, namePrefix),
    isProtected: item => kind.isOwn(item, namePrefix) && kind.isProtected(item, namePrefix),
    countsTowardLimit: item => kind.countsTowardLimit(item),
    limit: kind.limit,
    // Only manual backups count toward the limit, and a create makes one.
    noun: kind.noun === 'backup' ? 'manual backup' : kind.noun,
    rules,
    now
  }
}

/** `the newest 3, 7 daily, 4 weekly and those within 7d`: the rules set, for the log. */
export function describeRules(rules: RetentionRules): string {
  const parts = [
    rules.keep > 0 ? `the newest ${rules.keep}` : '',
    rules.keepDaily > 0 ? `${rules.keepDaily} daily` : '',
    rules.keepWeekly > 0 ? `${rules.keepWeekly} weekly` : '',
    rules.keepMonthly > 0 ? `${rules.keepMonthly} monthly` : '',
    rules.keepWithinMs !== undefined ? `those within ${formatSpan(rules.keepWithinMs)}` : ''
  ].filter(part => part !== '')
  if (parts.length === 0) return 'every one (no retention rule is set)'
  return parts.length === 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1) ?? ''}`
}

/**
 * Why an item goes, in the line that says it was deleted: `to keep the newest 3`, the rules when
 * there are several, or that it failed, which no rule keeps.
 */
export function deletionReason(rules: RetentionRules, item: Item): string {
  if (item.status !== COMPLETED) return `as it is ${item.status}, and no rule keeps an item that is not completed`
  const onlyKeep = rules.keep > 0 && !hasRules({ ...rules, keep: 0 })
  return onlyKeep
    ? `to keep the newest ${rules.keep}`
    : `as no retention rule keeps it (keeping ${describeRules(rules)})`
}
