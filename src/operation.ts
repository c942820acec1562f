import { MAX_PARALLEL, readInputs, type CommonSettings, type Input, type Inputs, type InputValues } from './inputs.ts'
import type { RunContext } from './run-context.ts'
import type { Tools } from './tools.ts'

/** What the entry point needs to know of any operation's settings, typed where each declares them. */
export interface StepSettings {
  /** How many servers at once; the post step restores the armed servers the same way. */
  maxParallel?: number
  /** The step was asked to arm the rollback (input `rollback_on_failure`). */
  rollbackOnFailure?: boolean
}

/**
 * One operation, declared in its own file: how the README's operations table describes it, the
 * inputs it reads besides the common ones (with their parsers and defaults), how their values
 * become its settings (the checks that span several inputs), and what it does with them.
 */
interface OperationDeclaration<I extends Inputs, S extends StepSettings> {
  operation: string
  does: string
  gives: string
  gets: string
  inputs: I
  /** Needs the run context (repository, run id) to name what it creates. */
  namesThings?: boolean
  settle(values: InputValues<I>, run: RunContext | undefined): S
  run(settings: CommonSettings & S, tools: Tools): Promise<void>
}

/** An operation with its settings read, ready to run. */
export interface Prepared<S extends StepSettings = StepSettings> {
  settings: CommonSettings & S
  run: (tools: Tools) => Promise<void>
  maxParallel: number
  rollbackOnFailure: boolean
}

/** A declared operation as the registry holds it: every one alike, whatever its settings. */
export interface Operation {
  operation: string
  does: string
  gives: string
  gets: string
  /**
   * The inputs it reads besides the common ones: the reader refuses no other, the unused-input warning names the rest.
   */
  inputs: readonly Input<unknown>[]
  namesThings: boolean
  /** Reads and checks the operation's own inputs, before any request. */
  prepare(common: CommonSettings, run: RunContext | undefined): Prepared
}

/** A declared operation that also runs on settings given whole, as a test of it does. */
interface DeclaredOperation<S extends StepSettings> extends Operation {
  run(settings: CommonSettings & S, tools: Tools): Promise<void>
}

export function defineOperation<I extends Inputs, S extends StepSettings>(
  declaration: OperationDeclaration<I, S>
): DeclaredOperation<S> {
  const { operation, does, gives, gets, inputs } = declaration
  return {
    operation,
    run: (settings, tools) => declaration.run(settings, tools),
    does,
    gives,
    gets,
    inputs: Object.values(inputs),
    namesThings: declaration.namesThings ?? false,
    prepare: (common, run) => {
      const settings = { ...common, ...declaration.settle(readInputs(operation, inputs), run) }
      return {
        settings,
        run: tools => declaration.run(settings, tools),
        // An operation that names no servers arms nothing: action.yml's default is as good as any.
        maxParallel: settings.maxParallel ?? Number(MAX_PARALLEL.default),
        rollbackOnFailure: settings.rollbackOnFailure ?? false
      }
    }
  }
}

/** For the operations that name what they create. */
export function needsRun(run: RunContext | undefined): RunContext {
  if (!run) throw new Error('a create needs the run context to name what it creates')
  return run
}
