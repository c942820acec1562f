// Reading the inputs through the runner's own protocol: every input an INPUT_<NAME> variable,
// with action.yml's defaults set as the runner sets them, read by @actions/core.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InputError } from '../../src/errors.ts'
import { COMMON_INPUTS, NAME_PREFIX } from '../../src/inputs.ts'
import { readOperation } from '../../src/registry.ts'
import { decodeCommand } from '../support/commands.ts'
import { DECLARED_INPUTS, stubInputs, type Inputs } from '../support/inputs.ts'
import { captureStdout } from '../support/stdout.ts'

// @actions/github reads the run (id, attempt, commit, workflow) once, when it is imported:
// set it before any import, and put the old values back at the end.
const RUN = vi.hoisted(() => {
  const env = {
    GITHUB_REPOSITORY: 'octo-org/web.app',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '3',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_WORKFLOW: 'Deploy'
  }
  const saved = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
  Object.assign(process.env, env)
  return { env, saved }
})

afterAll(() => {
  for (const [name, value] of Object.entries(RUN.saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

const TOKEN = 'vps_9f8e7d6c5b4a'

let stdout: ReturnType<typeof captureStdout>

beforeEach(() => {
  stdout = captureStdout()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

type ReadOperation = Awaited<ReturnType<typeof readOperation>>

async function readAll(inputs: Inputs): Promise<ReadOperation> {
  stubInputs({ api_token: TOKEN, ...inputs })
  return readOperation()
}

/** The operation's own settings. */
async function read(inputs: Inputs): Promise<Record<string, unknown>> {
  return (await readAll(inputs)).settings as unknown as Record<string, unknown>
}

async function failure(inputs: Inputs): Promise<InputError> {
  try {
    await read(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('the inputs were accepted')
}

/** What the operation needs, without the settings every operation shares. */
function specific(settings: Record<string, unknown>): Record<string, unknown> {
  const { apiUrl: _url, apiToken: _token, timeoutMs: _timeout, pollIntervalMs: _poll, dryRun: _dry, ...rest } = settings
  return rest
}

/** The values of the `::add-mask::` lines, decoded as the runner decodes them. */
const maskedValues = () =>
  stdout
    .lines()
    .filter(line => line.startsWith('::add-mask::'))
    .map(line => decodeCommand(line.slice('::add-mask::'.length)))

const GENERATED_NAME = /^gha-octo-org-web-app-4242-3-[A-Za-z0-9_-]+$/
const DEFAULT_DESCRIPTION = expect.stringMatching(/octo-org\/web\.app.*0123456.*4242/)

describe("each operation's own inputs", () => {
  const noRules = { keep: 0, keepWithinMs: undefined, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 }
  const create = {
    namePrefix: 'gha-',
    wait: true,
    ...noRules,
    protect: false,
    rollbackOnFailure: false,
    maxParallel: 4
  }
  it.each<{ inputs: Inputs; expected: Record<string, unknown> }>([
    {
      inputs: { operation: 'create-snapshot', server_id: '12345' },
      expected: {
        ...create,
        serverIds: [12345],
        name: expect.stringMatching(GENERATED_NAME),
        marker: expect.stringMatching(GENERATED_NAME),
        description: DEFAULT_DESCRIPTION
      }
    },
    {
      inputs: {
        operation: 'create-snapshot',
        server_id: '12345',
        name: 'pre-deploy_1',
        description: 'Before the v2 migration',
        keep: '3',
        rollback_on_failure: 'true'
      },
      expected: {
        ...create,
        serverIds: [12345],
        name: 'pre-deploy_1',
        marker: expect.stringMatching(GENERATED_NAME),
        description: 'Before the v2 migration',
        keep: 3,
        rollbackOnFailure: true
      }
    },
    {
      inputs: { operation: 'create-backup', server_id: '12345' },
      expected: {
        ...create,
        serverIds: [12345],
        name: undefined,
        marker: expect.stringMatching(GENERATED_NAME),
        description: DEFAULT_DESCRIPTION
      }
    },
    {
      inputs: {
        operation: 'create-backup',
        server_id: '7',
        keep: '10',
        rollback_on_failure: 'True',
        description: 'nightly'
      },
      expected: {
        ...create,
        serverIds: [7],
        name: undefined,
        marker: expect.stringMatching(GENERATED_NAME),
        description: 'nightly',
        keep: 10,
        rollbackOnFailure: true
      }
    },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: '801' },
      expected: { reference: { id: 801 }, serverIds: undefined, maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: '801', server_id: '12345', wait: 'false' },
      expected: { reference: { id: 801 }, serverIds: [12345], maxParallel: 4, wait: false }
    },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: 'latest', server_id: '12345' },
      expected: { reference: { latest: true }, serverIds: [12345], maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'restore-snapshot', name: 'pre-migration', server_id: '12345' },
      expected: { reference: { name: 'pre-migration' }, serverIds: [12345], maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'restore-backup', backup_id: '501', server_id: '12345' },
      expected: { reference: { id: 501 }, serverIds: [12345], maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'restore-backup', backup_id: 'latest', server_id: '12345' },
      expected: { reference: { latest: true }, serverIds: [12345], maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'list-snapshots' },
      expected: { serverIds: undefined, maxParallel: 4, backupType: undefined }
    },
    {
      inputs: { operation: 'list-snapshots', server_id: '12345' },
      expected: { serverIds: [12345], maxParallel: 4, backupType: undefined }
    },
    {
      inputs: { operation: 'list-backups' },
      expected: { serverIds: undefined, maxParallel: 4, backupType: undefined }
    },
    {
      inputs: { operation: 'list-backups', server_id: '12345', backup_type: 'manual' },
      expected: { serverIds: [12345], maxParallel: 4, backupType: 'manual' }
    },
    {
      inputs: { operation: 'list-backups', backup_type: 'automatic' },
      expected: { serverIds: undefined, maxParallel: 4, backupType: 'automatic' }
    },
    { inputs: { operation: 'delete-snapshot', snapshot_id: '801' }, expected: { id: 801 } },
    { inputs: { operation: 'delete-backup', backup_id: '501' }, expected: { id: 501 } },
    {
      inputs: { operation: 'wait-snapshot', snapshot_id: '801', server_id: '12345' },
      expected: { serverIds: [12345], ids: new Map([[12345, 801]]), maxParallel: 4, rollbackOnFailure: false }
    },
    {
      inputs: { operation: 'wait-snapshot', snapshot_id: '801', server_id: '12345', rollback_on_failure: 'true' },
      expected: { serverIds: [12345], ids: new Map([[12345, 801]]), maxParallel: 4, rollbackOnFailure: true }
    },
    {
      inputs: { operation: 'wait-backup', backup_id: '501', server_id: '12345' },
      expected: { serverIds: [12345], ids: new Map([[12345, 501]]), maxParallel: 4, rollbackOnFailure: false }
    },
    {
      inputs: { operation: 'prune-snapshots', server_id: '12345', keep: '2' },
      expected: { serverIds: [12345], maxParallel: 4, ...noRules, keep: 2, namePrefix: 'gha-' }
    },
    {
      inputs: { operation: 'prune-backups', server_id: '12345', keep: '1', name_prefix: 'ci_' },
      expected: { serverIds: [12345], maxParallel: 4, ...noRules, keep: 1, namePrefix: 'ci_' }
    },
    // Fleets: several servers, separated by commas, spaces or line breaks.
    {
      inputs: { operation: 'create-backup', server_id: '101, 102\n103 104', max_parallel: '2' },
      expected: {
        ...create,
        serverIds: [101, 102, 103, 104],
        maxParallel: 2,
        name: undefined,
        marker: expect.stringMatching(GENERATED_NAME),
        description: DEFAULT_DESCRIPTION
      }
    },
    {
      inputs: { operation: 'restore-snapshot', server_id: '101,102', snapshot_id: 'latest' },
      expected: { reference: { latest: true }, serverIds: [101, 102], maxParallel: 4, wait: true }
    },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: '{"101": 801, "102": 802}' },
      expected: {
        reference: {
          byServer: new Map([
            [101, 801],
            [102, 802]
          ])
        },
        serverIds: [101, 102],
        maxParallel: 4,
        wait: true
      }
    },
    {
      inputs: { operation: 'restore-backup', server_id: '102 101', backup_id: '{"101": 501, "102": 502}' },
      expected: {
        reference: {
          byServer: new Map([
            [101, 501],
            [102, 502]
          ])
        },
        serverIds: [102, 101],
        maxParallel: 4,
        wait: true
      }
    },
    {
      inputs: { operation: 'wait-snapshot', snapshot_id: '{"101": 801, "102": 802}' },
      expected: {
        serverIds: [101, 102],
        ids: new Map([
          [101, 801],
          [102, 802]
        ]),
        maxParallel: 4,
        rollbackOnFailure: false
      }
    },
    {
      // The servers in the order server_id gives them, whatever the map's order.
      inputs: { operation: 'wait-snapshot', snapshot_id: '{"101": 801, "102": 802}', server_id: '102 101' },
      expected: {
        serverIds: [102, 101],
        ids: new Map([
          [101, 801],
          [102, 802]
        ]),
        maxParallel: 4,
        rollbackOnFailure: false
      }
    },
    {
      inputs: { operation: 'list-snapshots', server_id: '101 102' },
      expected: { serverIds: [101, 102], maxParallel: 4, backupType: undefined }
    },
    {
      inputs: { operation: 'prune-snapshots', server_id: '101,102,103', keep: '2', max_parallel: '100' },
      expected: { serverIds: [101, 102, 103], maxParallel: 100, ...noRules, keep: 2, namePrefix: 'gha-' }
    }
  ])('$inputs.operation with $inputs', async ({ inputs, expected }) => {
    const all = await readAll(inputs)
    expect(specific(all.settings as unknown as Record<string, unknown>)).toEqual(expected)
    expect(all.ignored).toEqual([])
  })

  it('gives every operation the defaults of action.yml', async () => {
    const { common } = await readAll({ operation: 'list-snapshots' })
    expect(common.apiUrl.href).toBe('https://admin.vps.org/api/v1')
    expect(common).toMatchObject({ apiToken: TOKEN, timeoutMs: 30 * 60_000, pollIntervalMs: 2_000, dryRun: false })
  })

  it('reads numbers with the whitespace @actions/core trims', async () => {
    expect(specific(await read({ operation: 'wait-snapshot', snapshot_id: ' 801\n', server_id: '  12345 ' }))).toEqual({
      serverIds: [12345],
      ids: new Map([[12345, 801]]),
      maxParallel: 4,
      rollbackOnFailure: false
    })
  })
})

describe('generated names and descriptions', () => {
  it('ends the marker of a protected create with -protected, in its name and at the start of its description', async () => {
    const settings = (await read({ operation: 'create-snapshot', server_id: '1', protect: 'true' })) as {
      name: string
      marker: string
      protect: boolean
    }
    expect(settings.marker).toMatch(/^gha-octo-org-web-app-4242-3-[0-9a-f]{6}-protected$/)
    expect(settings).toMatchObject({ name: settings.marker, protect: true })
  })

  it('names a snapshot with name_prefix, the repository, the run id and the attempt', async () => {
    const settings = (await read({ operation: 'create-snapshot', server_id: '1', name_prefix: 'ci_' })) as {
      name: string
      marker: string
    }
    expect(settings.name.startsWith('ci_')).toBe(true)
    expect(settings.name).toContain('octo-org-web-app')
    expect(settings.name).toMatch(/-4242-3-/)
    expect(settings.name).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(settings.marker).toBe(settings.name)
  })

  it('gives two steps of the same run different names', async () => {
    const first = await read({ operation: 'create-snapshot', server_id: '1' })
    const second = await read({ operation: 'create-snapshot', server_id: '1' })
    expect(first.name).not.toBe(second.name)
  })

  it('marks a backup with a marker that starts with name_prefix', async () => {
    const settings = await read({ operation: 'create-backup', server_id: '1', name_prefix: 'deploy-' })
    expect(settings.marker).toMatch(/^deploy-octo-org-web-app-4242-3-/)
  })

  it('describes a snapshot by repository, commit, workflow and run', async () => {
    const settings = (await read({ operation: 'create-snapshot', server_id: '1' })) as { description: string }
    expect(settings.description).toContain('octo-org/web.app')
    expect(settings.description).toContain('0123456')
    expect(settings.description).toContain('Deploy')
    expect(settings.description).toContain('4242')
  })
})

describe('inputs every operation shares', () => {
  it.each([
    { timeout: '90', ms: 90_000 },
    { timeout: '90s', ms: 90_000 },
    { timeout: '15m', ms: 15 * 60_000 },
    { timeout: '1h', ms: 3_600_000 },
    { timeout: '1h30m', ms: 5_400_000 },
    { timeout: '1m30s', ms: 90_000 },
    { timeout: '1.5s', ms: 1_500 },
    { timeout: '2.5', ms: 2_500 },
    { timeout: '6h', ms: 6 * 3_600_000 },
    { timeout: '5h59m60s', ms: 6 * 3_600_000 }
  ])('timeout $timeout is $ms ms', async ({ timeout, ms }) => {
    expect((await readAll({ operation: 'list-snapshots', timeout })).common.timeoutMs).toBe(ms)
  })

  it.each([
    { poll_interval: '2', ms: 2_000 },
    { poll_interval: '0.1', ms: 100 },
    { poll_interval: '0.5', ms: 500 },
    { poll_interval: '30', ms: 30_000 },
    { poll_interval: '2s', ms: 2_000 },
    { poll_interval: '0.5s', ms: 500 },
    { poll_interval: '1m', ms: 60_000 }
  ])('poll_interval $poll_interval is $ms ms: the same syntax as timeout', async ({ poll_interval, ms }) => {
    expect((await readAll({ operation: 'list-snapshots', poll_interval })).common.pollIntervalMs).toBe(ms)
  })

  it.each([
    { raw: 'true', value: true },
    { raw: 'True', value: true },
    { raw: 'TRUE', value: true },
    { raw: 'false', value: false },
    { raw: 'False', value: false },
    { raw: 'FALSE', value: false }
  ])(
    'reads wait, dry_run and rollback_on_failure "$raw" as $value, with the one boolean parser',
    async ({ raw, value }) => {
      const all = await readAll({
        operation: 'create-snapshot',
        server_id: '1',
        wait: raw,
        dry_run: raw,
        rollback_on_failure: raw
      })
      expect(all.common.dryRun).toBe(value)
      expect(all.settings).toMatchObject({ wait: value, rollbackOnFailure: value })
    }
  )

  it.each([
    'https://admin.vps.org/api/v1',
    'https://admin.vps.org/api/v1/',
    'https://vps.internal.example:8443/v1',
    'http://127.0.0.1:8080/api/v1',
    'http://localhost/api/v1',
    'http://localhost:3000/api/v1',
    'http://[::1]:9/api/v1'
  ])('accepts api_url %s', async apiUrl => {
    expect((await readAll({ operation: 'list-snapshots', api_url: apiUrl })).common.apiUrl.href).toBe(
      new URL(apiUrl).href
    )
  })

  it.each<{ input: string; value: string; fallback: unknown; read: (all: ReadOperation) => unknown }>([
    { input: 'timeout', value: '', fallback: 30 * 60_000, read: all => all.common.timeoutMs },
    { input: 'timeout', value: '   ', fallback: 30 * 60_000, read: all => all.common.timeoutMs },
    {
      input: 'name_prefix',
      value: '',
      fallback: 'gha-',
      read: all => (all.settings as unknown as { namePrefix: string }).namePrefix
    },
    { input: 'poll_interval', value: '', fallback: 2_000, read: all => all.common.pollIntervalMs }
  ])(
    'takes an empty $input as not given, as @actions/core does: the default',
    async ({ input, value, fallback, read: pick }) => {
      expect(pick(await readAll({ operation: 'prune-snapshots', server_id: '1', keep: '1', [input]: value }))).toBe(
        fallback
      )
    }
  )

  it('refuses a timeout of 0.0004, which rounds to 0, saying it must be more than 0 seconds', async () => {
    expect((await failure({ operation: 'list-snapshots', timeout: '0.0004' })).message).toBe(
      'input "timeout" must be more than 0 seconds; got "0.0004"'
    )
  })

  it.each(['9999999', '6h1s', '7h', '361m'])(
    'refuses timeout %s, longer than a GitHub job can run, saying so',
    async timeout => {
      expect((await failure({ operation: 'list-snapshots', timeout })).message).toBe(
        `input "timeout" must be at most 6h, the longest a GitHub-hosted job can run; got "${timeout}"`
      )
    }
  )

  it('never speaks of milliseconds, which its syntax does not take', async () => {
    const error = await failure({ operation: 'list-snapshots', timeout: '500ms' })
    expect(error.message).toBe(
      'input "timeout" must be seconds ("90", "0.5") or a duration ("90s", "15m", "1h", "1h30m"); got "500ms"'
    )
  })

  it('refuses rollback_on_failure with wait false on a create, before any request, naming both inputs and the wait step', async () => {
    const error = await failure({
      operation: 'create-snapshot',
      server_id: '1',
      wait: 'false',
      rollback_on_failure: 'true'
    })
    expect(error.input).toBe('rollback_on_failure')
    expect(error.message).toContain('input "wait" is false')
    expect(error.message).toContain(
      'Put rollback_on_failure: true on the wait-snapshot step right before the deploy instead'
    )
  })

  it('refuses an empty timeout or name_prefix where one reaches the parsers', () => {
    expect(() => COMMON_INPUTS.timeoutMs.read('', 'create-snapshot')).toThrow(InputError)
    expect(() => NAME_PREFIX.read('', 'create-snapshot')).toThrow(InputError)
  })
})

const BAD_IDS = ['abc', '0', '-1', '1.5', '12abc', '1e3', '0x10', '99999999999999999999']

describe('bad input fails before any request, naming the input', () => {
  it.each<{ case: string; inputs: Inputs; input: string }>([
    ...BAD_IDS.map(value => ({
      case: `server_id "${value}"`,
      inputs: { operation: 'create-snapshot', server_id: value },
      input: 'server_id' as const
    })),
    ...BAD_IDS.map(value => ({
      case: `snapshot_id "${value}"`,
      inputs: { operation: 'delete-snapshot', snapshot_id: value },
      input: 'snapshot_id' as const
    })),
    ...BAD_IDS.map(value => ({
      case: `backup_id "${value}"`,
      inputs: { operation: 'restore-backup', server_id: '1', backup_id: value },
      input: 'backup_id' as const
    })),
    {
      case: 'server_id "abc" as a list filter',
      inputs: { operation: 'list-snapshots', server_id: 'abc' },
      input: 'server_id'
    },
    {
      case: 'snapshot_id "-3" to restore',
      inputs: { operation: 'restore-snapshot', snapshot_id: '-3' },
      input: 'snapshot_id'
    },
    {
      case: 'snapshot_id "Latest"',
      inputs: { operation: 'restore-snapshot', snapshot_id: 'Latest', server_id: '1' },
      input: 'snapshot_id'
    },
    {
      case: 'snapshot_id "latest" to delete',
      inputs: { operation: 'delete-snapshot', snapshot_id: 'latest' },
      input: 'snapshot_id'
    },
    {
      case: 'backup_id "latest" to wait for',
      inputs: { operation: 'wait-backup', backup_id: 'latest', server_id: '1' },
      input: 'backup_id'
    },
    {
      case: 'name with a space',
      inputs: { operation: 'create-snapshot', server_id: '1', name: 'before deploy' },
      input: 'name'
    },
    { case: 'name with a dot', inputs: { operation: 'create-snapshot', server_id: '1', name: 'v1.2' }, input: 'name' },
    { case: 'name with a slash', inputs: { operation: 'create-snapshot', server_id: '1', name: 'a/b' }, input: 'name' },
    {
      case: 'name with an accent',
      inputs: { operation: 'create-snapshot', server_id: '1', name: 'café' },
      input: 'name'
    },
    {
      case: 'name to restore with a space',
      inputs: { operation: 'restore-snapshot', server_id: '1', name: 'pre migration' },
      input: 'name'
    },
    { case: 'unknown operation', inputs: { operation: 'explode' }, input: 'operation' },
    { case: 'operation in another case', inputs: { operation: 'Create-Snapshot', server_id: '1' }, input: 'operation' },
    {
      case: 'operation with an underscore',
      inputs: { operation: 'create_snapshot', server_id: '1' },
      input: 'operation'
    },
    { case: 'missing operation', inputs: { operation: undefined }, input: 'operation' },
    { case: 'missing api_token', inputs: { operation: 'list-snapshots', api_token: undefined }, input: 'api_token' },
    ...(
      ['create-snapshot', 'create-backup', 'wait-snapshot', 'wait-backup', 'prune-snapshots', 'prune-backups'] as const
    ).map(operation => ({
      case: `${operation} without server_id`,
      inputs: { operation, snapshot_id: '1', backup_id: '1', keep: '1' },
      input: 'server_id' as const
    })),
    {
      case: 'restore-backup without server_id',
      inputs: { operation: 'restore-backup', backup_id: '501' },
      input: 'server_id'
    },
    {
      case: 'restore-backup without backup_id',
      inputs: { operation: 'restore-backup', server_id: '1' },
      input: 'backup_id'
    },
    { case: 'delete-snapshot without snapshot_id', inputs: { operation: 'delete-snapshot' }, input: 'snapshot_id' },
    { case: 'delete-backup without backup_id', inputs: { operation: 'delete-backup' }, input: 'backup_id' },
    {
      case: 'wait-snapshot without snapshot_id',
      inputs: { operation: 'wait-snapshot', server_id: '1' },
      input: 'snapshot_id'
    },
    { case: 'wait-backup without backup_id', inputs: { operation: 'wait-backup', server_id: '1' }, input: 'backup_id' },
    {
      case: 'restore-snapshot with neither snapshot_id nor name',
      inputs: { operation: 'restore-snapshot', server_id: '1' },
      input: 'snapshot_id'
    },
    {
      case: 'restore-snapshot latest without server_id',
      inputs: { operation: 'restore-snapshot', snapshot_id: 'latest' },
      input: 'server_id'
    },
    {
      case: 'restore-snapshot by name without server_id',
      inputs: { operation: 'restore-snapshot', name: 'pre-migration' },
      input: 'server_id'
    },
    {
      case: 'restore-snapshot with both snapshot_id and name',
      inputs: { operation: 'restore-snapshot', snapshot_id: '801', name: 'x', server_id: '1' },
      input: 'snapshot_id'
    },
    {
      case: 'restore-backup latest without server_id',
      inputs: { operation: 'restore-backup', backup_id: 'latest' },
      input: 'server_id'
    },
    ...['yes', 'no', '1', 'on', 'tru'].map(value => ({
      case: `wait "${value}"`,
      inputs: { operation: 'create-snapshot', server_id: '1', wait: value },
      input: 'wait' as const
    })),
    { case: 'dry_run "maybe"', inputs: { operation: 'list-snapshots', dry_run: 'maybe' }, input: 'dry_run' },
    {
      case: 'rollback_on_failure "y"',
      inputs: { operation: 'create-snapshot', server_id: '1', rollback_on_failure: 'y' },
      input: 'rollback_on_failure'
    },
    {
      case: 'rollback_on_failure "tRuE" (not a YAML boolean)',
      inputs: { operation: 'wait-snapshot', server_id: '1', snapshot_id: '1', rollback_on_failure: 'tRuE' },
      input: 'rollback_on_failure'
    },
    ...['abc', '10x', '0', '0s', '-5', '1h 30m', '30 m', 'm'].map(value => ({
      case: `timeout "${value}"`,
      inputs: { operation: 'list-snapshots', timeout: value },
      input: 'timeout' as const
    })),
    ...['0', '0.05', 'fast', '-1', '50ms', '.5'].map(value => ({
      case: `poll_interval "${value}"`,
      inputs: { operation: 'list-snapshots', poll_interval: value },
      input: 'poll_interval' as const
    })),
    ...['-1', '1.5', 'x', 'all'].map(value => ({
      case: `keep "${value}" on create`,
      inputs: { operation: 'create-snapshot', server_id: '1', keep: value },
      input: 'keep' as const
    })),
    ...['-1', '1.5', 'x'].map(value => ({
      case: `keep "${value}" on prune`,
      inputs: { operation: 'prune-backups', server_id: '1', keep: value },
      input: 'keep' as const
    })),
    ...['keep_daily', 'keep_weekly', 'keep_monthly'].flatMap(input =>
      ['-1', '1.5', 'x'].map(value => ({
        case: `${input} "${value}"`,
        inputs: { operation: 'prune-snapshots', server_id: '1', [input]: value },
        input
      }))
    ),
    // A bare number: hours or days, a reader could not tell. Units s, m, h, d, w only, at least 1 s.
    ...['7', '0s', '0d', '1y', '7 d', '-1d', '1.5d', 'd'].map(value => ({
      case: `keep_within "${value}"`,
      inputs: { operation: 'create-backup', server_id: '1', keep_within: value },
      input: 'keep_within'
    })),
    {
      case: 'a prune with no retention rule at all',
      inputs: { operation: 'prune-snapshots', server_id: '1', keep: '0', keep_daily: '0' },
      input: 'keep'
    },
    {
      case: 'a server named twice',
      inputs: { operation: 'create-snapshot', server_id: '101, 102, 101' },
      input: 'server_id'
    },
    {
      case: '101 servers',
      inputs: { operation: 'create-snapshot', server_id: Array.from({ length: 101 }, (_, n) => 1000 + n).join(',') },
      input: 'server_id'
    },
    {
      case: 'a fleet with a bad id in it',
      inputs: { operation: 'prune-snapshots', server_id: '101, 10x', keep: '1' },
      input: 'server_id'
    },
    {
      case: 'a server_id of only commas',
      inputs: { operation: 'create-snapshot', server_id: ', ,' },
      input: 'server_id'
    },
    ...['0', '101', '1.5', 'all'].map(value => ({
      case: `max_parallel "${value}"`,
      inputs: { operation: 'create-snapshot', server_id: '1', max_parallel: value },
      input: 'max_parallel' as const
    })),
    {
      case: 'one snapshot id for several servers',
      inputs: { operation: 'restore-snapshot', server_id: '101 102', snapshot_id: '801' },
      input: 'snapshot_id'
    },
    {
      case: "a map whose servers are not server_id's",
      inputs: { operation: 'restore-snapshot', server_id: '101 103', snapshot_id: '{"101": 801, "102": 802}' },
      input: 'snapshot_id'
    },
    {
      case: 'a map that is not JSON',
      inputs: { operation: 'restore-backup', server_id: '101', backup_id: '{101: 501' },
      input: 'backup_id'
    },
    {
      case: 'a map with a bad id in it',
      inputs: { operation: 'wait-backup', backup_id: '{"101": "x"}' },
      input: 'backup_id'
    },
    {
      case: 'an empty map (a create that made nothing)',
      inputs: { operation: 'wait-snapshot', snapshot_id: '{}' },
      input: 'snapshot_id'
    },
    {
      case: 'keep 0 for prune-snapshots',
      inputs: { operation: 'prune-snapshots', server_id: '1', keep: '0' },
      input: 'keep'
    },
    {
      case: 'keep 0 for prune-backups',
      inputs: { operation: 'prune-backups', server_id: '1', keep: '0' },
      input: 'keep'
    },
    {
      case: 'keep left at its default for prune-snapshots',
      inputs: { operation: 'prune-snapshots', server_id: '1' },
      input: 'keep'
    },
    ...['Manual', 'all', 'daily'].map(value => ({
      case: `backup_type "${value}"`,
      inputs: { operation: 'list-backups', backup_type: value },
      input: 'backup_type' as const
    })),
    {
      case: 'token with a line feed',
      inputs: { operation: 'list-snapshots', api_token: 'vps_first\nZZtail' },
      input: 'api_token'
    },
    {
      case: 'token with a carriage return',
      inputs: { operation: 'list-snapshots', api_token: 'vps_first\rZZtail' },
      input: 'api_token'
    },
    ...[
      'http://admin.vps.org/api/v1',
      'http://10.0.0.5/api/v1',
      'http://localhost.evil.test/api/v1',
      'http://127.0.0.1.nip.io/api/v1',
      'ftp://admin.vps.org/api/v1',
      'not a url',
      'admin.vps.org/api/v1',
      'https://admin.vps.org/api/v1?token=x',
      'https://user:hunter2@admin.vps.org/api/v1',
      'https://:hunter2@admin.vps.org/api/v1',
      'http://user:hunter2@localhost/api/v1'
    ].map(value => ({
      case: `api_url "${value}"`,
      inputs: { operation: 'list-snapshots', api_url: value },
      input: 'api_url' as const
    })),
    ...['gha.', 'a b', 'x/', 'ci:'].map(value => ({
      case: `name_prefix "${value}"`,
      inputs: { operation: 'create-backup', server_id: '1', name_prefix: value },
      input: 'name_prefix' as const
    }))
  ])('$case', async ({ inputs, input }) => {
    const error = await failure({ operation: 'list-snapshots', ...inputs })
    expect(error.input).toBe(input)
    expect(error.message).toContain(`"${input}"`)
    // What was wrong, and what is allowed, without the secrets.
    expect(error.message.length).toBeGreaterThan(`input "${input}" `.length + 10)
    expect(error.message).not.toContain(TOKEN)
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('ZZtail')
  })

  it.each<{ case: string; inputs: Inputs }>([
    { case: 'a token with a line break', inputs: { operation: 'list-snapshots', api_token: 'vps_first\nZZtail' } },
    { case: 'an unknown operation', inputs: { operation: 'explode' } },
    { case: 'a bad api_url', inputs: { operation: 'list-snapshots', api_url: 'http://admin.vps.org/api/v1' } },
    { case: 'a bad id', inputs: { operation: 'delete-snapshot', snapshot_id: 'abc' } },
    { case: 'good inputs and an ignored one', inputs: { operation: 'list-snapshots', keep: '3' } }
  ])('masks the token before any other output, with $case', async ({ inputs }) => {
    const token = inputs.api_token ?? TOKEN
    stubInputs({ api_token: token, ...inputs })
    try {
      await readOperation()
    } catch {
      // The failure itself is checked above; here only what reached the log matters.
    }
    const lines = stdout.lines()
    expect(lines[0]?.startsWith('::add-mask::')).toBe(true)
    expect(maskedValues()).toContain(token)
    const firstOther = lines.findIndex(line => !line.startsWith('::add-mask::'))
    const lastMask = lines.map(line => line.startsWith('::add-mask::')).lastIndexOf(true)
    if (firstOther !== -1) expect(lastMask).toBeLessThan(firstOther)
    // The token never shows outside a mask command, in any line of it.
    for (const line of lines.filter(line => !line.startsWith('::add-mask::'))) {
      for (const part of token.split(/[\r\n]+/)) expect(line).not.toContain(part)
    }
  })
})

describe('inputs the operation does not use', () => {
  it.each<{ inputs: Inputs; ignored: string[] }>([
    {
      inputs: { operation: 'list-snapshots', snapshot_id: '5', keep: '3', description: 'x' },
      ignored: ['description', 'keep', 'snapshot_id']
    },
    { inputs: { operation: 'list-snapshots', wait: 'false' }, ignored: ['wait'] },
    { inputs: { operation: 'create-backup', server_id: '1', name: 'nightly' }, ignored: ['name'] },
    { inputs: { operation: 'delete-snapshot', snapshot_id: '5', server_id: '1' }, ignored: ['server_id'] },
    { inputs: { operation: 'delete-backup', backup_id: '5', snapshot_id: '6' }, ignored: ['snapshot_id'] },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: '5', rollback_on_failure: 'true' },
      ignored: ['rollback_on_failure']
    },
    { inputs: { operation: 'list-snapshots', backup_type: 'manual' }, ignored: ['backup_type'] },
    {
      inputs: { operation: 'wait-snapshot', snapshot_id: '5', server_id: '1', backup_id: '9', name: 'x' },
      ignored: ['backup_id', 'name']
    },
    { inputs: { operation: 'prune-snapshots', server_id: '1', keep: '2', description: 'x' }, ignored: ['description'] },
    // Only a create makes an item to protect.
    { inputs: { operation: 'prune-snapshots', server_id: '1', keep: '2', protect: 'true' }, ignored: ['protect'] },
    {
      inputs: { operation: 'restore-backup', server_id: '1', backup_id: 'latest', protect: 'true' },
      ignored: ['protect']
    }
  ])('$inputs.operation names $ignored', async ({ inputs, ignored }) => {
    expect((await readAll(inputs)).ignored.sort()).toEqual([...ignored].sort())
  })

  it('names every input of action.yml that the operation does not read, whichever it is', async () => {
    // What list-snapshots reads: the inputs every operation reads, server_id and max_parallel.
    const read = 'operation api_token api_url timeout poll_interval dry_run server_id max_parallel'.split(' ')
    const unread = DECLARED_INPUTS.filter(name => !read.includes(name))
    const set = Object.fromEntries(unread.map(name => [name, 'set by mistake']))
    expect((await readAll({ operation: 'list-snapshots', ...set })).ignored.sort()).toEqual([...unread].sort())
  })

  it('does not count inputs left at their defaults', async () => {
    expect(
      (
        await readAll({
          operation: 'list-backups',
          keep: '0',
          wait: 'true',
          rollback_on_failure: 'false',
          name_prefix: 'gha-'
        })
      ).ignored
    ).toEqual([])
  })
})
