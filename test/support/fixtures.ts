// Snapshots and backups shaped as the VPS.org API documents them, and the retention planner's
// types, for the planning tests.
import type { Backup, Item, Snapshot } from '../../src/api/types.ts'
import type { describeVerdict, planPrune, RetentionRules } from '../../src/plan/retention.ts'

export const SERVER = 12345
export const OTHER_SERVER = 67890
export const PREFIX = 'gha-'

/** `day(3)` is 2025-01-03 at noon: a readable, ordered created_at. */
export function day(n: number, hour = 12): string {
  return new Date(Date.UTC(2025, 0, n, hour)).toISOString().replace('.000Z', 'Z')
}

export function snapshot(fields: Partial<Snapshot> & { id: number }): Snapshot {
  return {
    server: { id: SERVER, name: 'web-server-01' },
    name: `${PREFIX}octo-app-1-1-${fields.id}`,
    status: 'completed',
    size_mb: 5120,
    created_at: day(fields.id % 28 || 1),
    description: null,
    ...fields
  }
}

export function backup(fields: Partial<Backup> & { id: number }): Backup {
  return {
    server: { id: SERVER, name: 'web-server-01' },
    backup_type: 'manual',
    status: 'completed',
    size_mb: 4523,
    created_at: day(fields.id % 28 || 1),
    expires_at: null,
    description: `${PREFIX}octo-app-1-1-abc Before deploy`,
    ...fields
  }
}

/** Ids in the order given, for assertions that also check the order. */
export function ids(items: Array<{ id: number }>): number[] {
  return items.map(item => item.id)
}

/** Retention rules as a step reads them: none set but those given. */
export function rules(given: Partial<RetentionRules> = {}): RetentionRules {
  return { keep: 0, keepWithinMs: undefined, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, ...given }
}

/** What the retention planner is handed, as its own signature has it. */
export type RetentionInput<T extends Item> = Parameters<typeof planPrune<T>>[0]
/** An own item and what keeps it, as the planner returns it. */
export type Verdict<T extends Item> = ReturnType<typeof planPrune<T>>['verdicts'][number]
/** What keeps an item: a rule, a guard, or that no rule is set. */
export type Keeper = Parameters<typeof describeVerdict>[0][number]
