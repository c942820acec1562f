// The inputs of a step read in the test's own process, set as the runner sets them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { vi } from 'vitest'
import { parse } from 'yaml'
import { ROOT } from './bundle.ts'

export type Inputs = Partial<Record<string, string | undefined>>

/** action.yml's inputs with their defaults, which the runner passes for every input not given. */
const DECLARED = (
  parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string | number | boolean }>
  }
).inputs

/** The name of every input action.yml declares. */
export const DECLARED_INPUTS: readonly string[] = Object.keys(DECLARED)

/**
 * Sets every input as an `INPUT_<NAME>` variable, as the runner would: the ones given, else
 * action.yml's default, else unset (an input given as undefined is unset too). Undone by
 * `vi.unstubAllEnvs()`.
 */
export function stubInputs(inputs: Inputs): void {
  const defaults = Object.entries(DECLARED).map(
    ([name, input]) => [name, input.default === undefined ? undefined : String(input.default)] as const
  )
  for (const [name, value] of Object.entries({ ...Object.fromEntries(defaults), ...inputs }))
    vi.stubEnv(`INPUT_${name.toUpperCase()}`, value)
}
