// `npm run campaign -- --runs 250 --seed 7`: the fleet fault campaign of test/campaign, run longer
// than `npm test` runs it. Prints a line per run as it ends, the whole report of each run that
// broke a promise (its seed replays its scenario: `--seed <that seed> --runs 1`), and a closing
// `N passed, N failed`; exits 1 if any run failed.
import { parseArgs } from 'node:util'
import { atMostAtOnce } from '../src/fleet.ts'
import { judge, passed, reportOf, seedsOf, summaryLine } from '../test/campaign/fleet-faults.ts'

const DEFAULT_RUNS = 50
const DEFAULT_SEED = 1
/** Runs side by side: each mostly waits on timers and its emulator; four leave the event loop unhurried. */
const DEFAULT_PARALLEL = 4

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: String(DEFAULT_RUNS) },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    parallel: { type: 'string', default: String(DEFAULT_PARALLEL) }
  }
})
const runs = wholeNumber('runs', values.runs, 1)
const firstSeed = wholeNumber('seed', values.seed, 0)
const parallel = wholeNumber('parallel', values.parallel, 1)

const startedAt = Date.now()
const judged = await atMostAtOnce(seedsOf(firstSeed, runs), parallel, async seed => {
  const run = await judge(seed)
  console.log(summaryLine(run))
  if (!passed(run)) console.log(`${reportOf(run)}\n`)
  return run
})
const failed = judged.filter(run => !passed(run)).length
console.log(
  `Seeds ${firstSeed} to ${firstSeed + runs - 1}, ${parallel} at a time, in ${((Date.now() - startedAt) / 1000).toFixed(0)} s.`
)
console.log(`${judged.length - failed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

function wholeNumber(name: string, raw: string, least: number): number {
  const value = Number(raw)
  if (Number.isInteger(value) && value >= least) return value
  console.error(`--${name} must be a whole number of at least ${least}, got "${raw}"`)
  process.exit(2)
}
