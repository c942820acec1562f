import { ApiError, NetworkError } from './api/errors.ts'

/** An input the action cannot work with; raised before any request is sent. */
export class InputError extends Error {
  override readonly name = 'InputError'
  readonly input: string

  constructor(input: string, problem: string) {
    super(`input "${input}" ${problem}`)
    this.input = input
  }
}

/** The action refused to go on, or a job ended badly: nothing unexpected, so no stack trace. */
export class OperationError extends Error {
  override readonly name: string = 'OperationError'
}

/** A wait ran into the step's deadline. */
export class WaitTimeoutError extends OperationError {
  override readonly name = 'WaitTimeoutError'
}

/**
 * The one line a failed step prints: the operation, then the HTTP status and the API's own
 * message where there is one. Anything else (a bug) keeps its stack for the debug log.
 */
export function isExpected(error: unknown): boolean {
  return (
    error instanceof ApiError ||
    error instanceof InputError ||
    error instanceof OperationError ||
    error instanceof NetworkError
  )
}

export function describeFailure(operation: string, error: unknown): string {
  return isExpected(error)
    ? `${operation} failed: ${explain(error)}`
    : `${operation} failed unexpectedly: ${explain(error)}`
}

/** Why something failed, in one line: the HTTP status, the endpoint and the API's own message where there is one. */
export function explain(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return error instanceof Error ? error.message : String(error)
}
