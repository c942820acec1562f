import { InputError } from './errors.ts'
import {
  API_TOKEN,
  COMMON_INPUTS,
  ignoredInputs,
  OPERATION,
  readCommonSettings,
  readInputs,
  readToken,
  type CommonSettings,
  type Input
} from './inputs.ts'
import type { Operation, Prepared } from './operation.ts'
import { CREATE_BACKUP, CREATE_SNAPSHOT } from './operations/create.ts'
import { DELETE_BACKUP, DELETE_SNAPSHOT } from './operations/delete.ts'
import { LIST_BACKUPS, LIST_SNAPSHOTS } from './operations/list.ts'
import { PRUNE_BACKUPS, PRUNE_SNAPSHOTS } from './operations/prune.ts'
import { RESTORE_BACKUP, RESTORE_SNAPSHOT } from './operations/restore.ts'
import { WAIT_BACKUP, WAIT_SNAPSHOT } from './operations/wait.ts'

/**
 * Every operation, as its file declares it, in the order the README's operations table lists
 * them: the reader, the unused-input warning and that table (`npm run docs`) all come from here.
 */
export const OPERATIONS: readonly Operation[] = [
  CREATE_SNAPSHOT,
  CREATE_BACKUP,
  RESTORE_SNAPSHOT,
  RESTORE_BACKUP,
  LIST_SNAPSHOTS,
  LIST_BACKUPS,
  DELETE_SNAPSHOT,
  DELETE_BACKUP,
  WAIT_SNAPSHOT,
  WAIT_BACKUP,
  PRUNE_SNAPSHOTS,
  PRUNE_BACKUPS
]

/** Every input any operation reads, the common ones first: action.yml declares exactly these. */
const EVERY_INPUT: readonly Input<unknown>[] = [
  OPERATION,
  API_TOKEN,
  ...Object.values(COMMON_INPUTS),
  ...OPERATIONS.flatMap(entry => entry.inputs)
]

interface ReadOperation extends Prepared {
  operation: string
  common: CommonSettings
  /** Inputs set that the operation does not read: a typo, most likely. */
  ignored: string[]
}

/** Every input read and checked, before any request is sent. */
export async function readOperation(): Promise<ReadOperation> {
  // The token is masked before anything else can print it, even in an error about it.
  const apiToken = readToken()
  const { operation } = readInputs('', { operation: OPERATION })
  const entry = OPERATIONS.find(candidate => candidate.operation === operation)
  if (!entry)
    throw new InputError(
      'operation',
      `must be one of ${OPERATIONS.map(candidate => candidate.operation).join(', ')}; got "${operation}"`
    )
  const common = readCommonSettings(apiToken)
  // The run context (and @actions/github with it) is loaded only by the operations that name things.
  const run = entry.namesThings ? (await import('./run-context.ts')).currentRun() : undefined
  const ignored = ignoredInputs(EVERY_INPUT, [OPERATION, API_TOKEN, ...Object.values(COMMON_INPUTS), ...entry.inputs])
  return { operation, common, ...entry.prepare(common, run), ignored }
}
