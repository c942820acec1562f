// The inputs of a step read in the test's own process, set as the runner sets them.
import { vi } from 'vitest'
import { INPUT_DEFAULTS, type InputName } from '../../src/inputs.ts'

export type Inputs = Partial<Record<InputName, string | undefined>>

/**
 * Sets every input as an `INPUT_<NAME>` variable, as the runner would: the ones given, else
 * action.yml's default, else unset (an input given as undefined is unset too). Undone by
 * `vi.unstubAllEnvs()`.
 */
export function stubInputs(inputs: Inputs): void {
  for (const [name, fallback] of Object.entries(INPUT_DEFAULTS)) {
    vi.stubEnv(`INPUT_${name.toUpperCase()}`, name in inputs ? inputs[name as InputName] : fallback)
  }
}
