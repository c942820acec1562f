// Each operation's errors offer only what that operation takes: one id for several servers is
// refused with the alternatives of wait-*, restore-snapshot and restore-backup, each its own.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InputError } from '../../src/errors.ts'
import { readOperation } from '../../src/registry.ts'
import { stubInputs } from '../support/inputs.ts'
import { captureStdout } from '../support/stdout.ts'

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

async function refusal(inputs: Record<string, string>): Promise<string> {
  captureStdout()
  stubInputs({ api_token: 't', ...inputs })
  try {
    await readOperation()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected the inputs to be refused')
}

describe('one id for several servers', () => {
  it.each([
    { operation: 'wait-snapshot', input: 'snapshot_id', offers: 'give the snapshot_ids map of a create' },
    { operation: 'wait-backup', input: 'backup_id', offers: 'give the backup_ids map of a create' },
    {
      operation: 'restore-snapshot',
      input: 'snapshot_id',
      offers: 'give "latest", a name, or the snapshot_ids map of a create'
    },
    { operation: 'restore-backup', input: 'backup_id', offers: 'give "latest" or the backup_ids map of a create' }
  ])('$operation offers only what it takes', async ({ operation, input, offers }) => {
    const message = await refusal({ operation, [input]: '801', server_id: '101, 102' })
    expect(message).toMatch(new RegExp(`names 2: ${offers.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`))
  })
})
