// The fleet's promises under seeded faults (the campaign of ./fleet-faults.ts): a handful of runs
// on every `npm test`, side by side, each against its own emulator on the real clock, so that the
// file takes about as long as its slowest run. `npm run campaign` runs many more.
import { assert, beforeAll, describe, expect, test } from 'vitest'
import { judge, OPERATIONS, PROMISES, reportOf, scenarioOf, type Judged, type Operation } from './fleet-faults.ts'

/**
 * Fixed, so that a failure here replays with `npm run campaign -- --seed <its seed> --runs 1`;
 * chosen for runs that fail a server of each operation beside survivors and hear a Retry-After,
 * in under 2 s (the last test below says if they no longer do).
 */
const FIRST_SEED = 45
/** Runs of each operation; create-snapshot's requests are the most varied (reads, creates, status checks, rotation). */
const RUNS: Record<Operation, number> = {
  'create-snapshot': 2,
  'create-backup': 1,
  'wait-snapshot': 1,
  'list-snapshots': 1
}
/** A run takes a few seconds; one that hangs is cut off 10 s after the step's 20 s deadline. */
const CAMPAIGN_TIMEOUT_MS = 45_000

let judged: Judged[] = []

beforeAll(async () => {
  judged = await Promise.all(seedsFor(RUNS, FIRST_SEED).map(judge))
}, CAMPAIGN_TIMEOUT_MS)

describe('a fleet under seeded faults: 503, 429 with and without Retry-After, resets, 403 and 404', () => {
  test('every scenario is set up and run to its end', () => {
    failWithReports(judged.filter(run => run.couldNotRun !== undefined))
  })

  for (const promise of PROMISES) {
    test(promise.name, () => {
      failWithReports(judged.filter(run => run.broken.some(broken => broken.promise === promise.name)))
    })
  }

  test('the runs put the promises to the test: a server fails beside survivors, and the step hears a Retry-After', () => {
    const ran = judged.flatMap(({ run }) => (run === undefined ? [] : [run]))
    const failedBesideSurvivors = ran.filter(
      run => run.results?.some(row => row.error !== undefined) && run.results.some(row => row.error === undefined)
    )
    expect(failedBesideSurvivors.length).toBeGreaterThan(0)
    expect(ran.filter(run => run.wire.some(event => 'askedToWaitSeconds' in event)).length).toBeGreaterThan(0)
  })

  test('a seed is a whole scenario: drawn again, it is the same', () => {
    for (const seed of seedsFor(RUNS, FIRST_SEED)) expect(scenarioOf(seed)).toEqual(scenarioOf(seed))
  })
})

/** From `first` on, the first seeds whose scenarios have each operation, as many as `runs` asks. */
function seedsFor(runs: Record<Operation, number>, first: number): number[] {
  const wanted = new Map(OPERATIONS.map(operation => [operation, runs[operation]]))
  const seeds: number[] = []
  for (let seed = first; [...wanted.values()].some(count => count > 0); seed++) {
    const { operation } = scenarioOf(seed)
    const left = wanted.get(operation) ?? 0
    if (left === 0) continue
    wanted.set(operation, left - 1)
    seeds.push(seed)
  }
  return seeds
}

function failWithReports(runs: Judged[]): void {
  if (runs.length > 0) assert.fail(`${runs.length} run(s) broke it:\n\n${runs.map(reportOf).join('\n\n')}`)
}
