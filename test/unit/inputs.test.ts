// readSettings through the runner's own protocol: every input an INPUT_<NAME> variable, with
// action.yml's defaults set as the runner sets them, read by @actions/core.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { InputError } from '../../src/errors.ts'
import { INPUT_DEFAULTS, parseDuration, parseName, readSettings, type InputName, type Settings } from '../../src/inputs.ts'

// The run (id, attempt, commit, workflow) is read from the runner's variables: set them before
// any import, and put the old values back at the end.
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
type Inputs = Partial<Record<InputName, string | undefined>>

let stdout: string[]

beforeEach(() => {
  stdout = []
  vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout.push(String(chunk))
    return true
  })
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

/** Sets every input as the runner would: the ones given, else action.yml's default, else unset. */
function setInputs(inputs: Inputs): void {
  for (const [name, fallback] of Object.entries(INPUT_DEFAULTS)) {
    vi.stubEnv(`INPUT_${name.toUpperCase()}`, name in inputs ? inputs[name as InputName] : fallback)
  }
}

async function read(inputs: Inputs, options?: { warnIgnored?: boolean }): Promise<Settings> {
  setInputs({ api_token: TOKEN, ...inputs })
  return readSettings(options)
}

async function failure(inputs: Inputs): Promise<InputError> {
  try {
    await read(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('readSettings accepted the inputs')
}

/** What the operation needs, without the settings every operation shares. */
function specific(settings: Settings): Record<string, unknown> {
  const { apiUrl: _url, apiToken: _token, wait: _wait, timeoutMs: _timeout, pollIntervalMs: _poll, dryRun: _dry, namePrefix: _prefix, ...rest } = settings
  return rest
}

const stdoutLines = () => stdout.join('').split(/\r?\n/).filter(line => line !== '')
const warnedInputs = () =>
  stdoutLines()
    .filter(line => line.startsWith('::warning::'))
    .map(line => /Input "(\w+)"/.exec(line)?.[1])
    .sort()
/** The value of an `::add-mask::` line, decoded as the runner decodes it. */
const unescape = (data: string) => data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const maskedValues = () =>
  stdoutLines()
    .filter(line => line.startsWith('::add-mask::'))
    .map(line => unescape(line.slice('::add-mask::'.length)))

const GENERATED_NAME = /^gha-octo-org-web-app-4242-3-[A-Za-z0-9_-]+$/
const DEFAULT_DESCRIPTION = expect.stringMatching(/octo-org\/web\.app.*0123456.*4242/)

describe('readSettings, for each operation', () => {
  it.each<{ inputs: Inputs; expected: Record<string, unknown> }>([
    {
      inputs: { operation: 'create-snapshot', server_id: '12345' },
      expected: {
        operation: 'create-snapshot',
        serverId: 12345,
        name: expect.stringMatching(GENERATED_NAME),
        marker: expect.stringMatching(GENERATED_NAME),
        description: DEFAULT_DESCRIPTION,
        keep: 0,
        rollbackOnFailure: false
      }
    },
    {
      inputs: { operation: 'create-snapshot', server_id: '12345', name: 'pre-deploy_1', description: 'Before the v2 migration', keep: '3', rollback_on_failure: 'true' },
      expected: {
        operation: 'create-snapshot',
        serverId: 12345,
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
        operation: 'create-backup',
        serverId: 12345,
        marker: expect.stringMatching(GENERATED_NAME),
        description: DEFAULT_DESCRIPTION,
        keep: 0,
        rollbackOnFailure: false
      }
    },
    {
      inputs: { operation: 'create-backup', server_id: '7', keep: '10', rollback_on_failure: 'True', description: 'nightly' },
      expected: { operation: 'create-backup', serverId: 7, marker: expect.stringMatching(GENERATED_NAME), description: 'nightly', keep: 10, rollbackOnFailure: true }
    },
    { inputs: { operation: 'restore-snapshot', snapshot_id: '801' }, expected: { operation: 'restore-snapshot', snapshot: { id: 801 }, serverId: undefined } },
    { inputs: { operation: 'restore-snapshot', snapshot_id: '801', server_id: '12345' }, expected: { operation: 'restore-snapshot', snapshot: { id: 801 }, serverId: 12345 } },
    {
      inputs: { operation: 'restore-snapshot', snapshot_id: 'latest', server_id: '12345' },
      expected: { operation: 'restore-snapshot', snapshot: { latest: true }, serverId: 12345 }
    },
    {
      inputs: { operation: 'restore-snapshot', name: 'pre-migration', server_id: '12345' },
      expected: { operation: 'restore-snapshot', snapshot: { name: 'pre-migration' }, serverId: 12345 }
    },
    { inputs: { operation: 'restore-backup', backup_id: '501', server_id: '12345' }, expected: { operation: 'restore-backup', backup: { id: 501 }, serverId: 12345 } },
    { inputs: { operation: 'restore-backup', backup_id: 'latest', server_id: '12345' }, expected: { operation: 'restore-backup', backup: { latest: true }, serverId: 12345 } },
    { inputs: { operation: 'list-snapshots' }, expected: { operation: 'list-snapshots', serverId: undefined } },
    { inputs: { operation: 'list-snapshots', server_id: '12345' }, expected: { operation: 'list-snapshots', serverId: 12345 } },
    { inputs: { operation: 'list-backups' }, expected: { operation: 'list-backups', serverId: undefined, backupType: undefined } },
    { inputs: { operation: 'list-backups', server_id: '12345', backup_type: 'manual' }, expected: { operation: 'list-backups', serverId: 12345, backupType: 'manual' } },
    { inputs: { operation: 'list-backups', backup_type: 'automatic' }, expected: { operation: 'list-backups', serverId: undefined, backupType: 'automatic' } },
    { inputs: { operation: 'delete-snapshot', snapshot_id: '801' }, expected: { operation: 'delete-snapshot', id: 801 } },
    { inputs: { operation: 'delete-backup', backup_id: '501' }, expected: { operation: 'delete-backup', id: 501 } },
    { inputs: { operation: 'wait-snapshot', snapshot_id: '801', server_id: '12345' }, expected: { operation: 'wait-snapshot', id: 801, serverId: 12345 } },
    { inputs: { operation: 'wait-backup', backup_id: '501', server_id: '12345' }, expected: { operation: 'wait-backup', id: 501, serverId: 12345 } },
    { inputs: { operation: 'prune-snapshots', server_id: '12345', keep: '2' }, expected: { operation: 'prune-snapshots', serverId: 12345, keep: 2 } },
    { inputs: { operation: 'prune-backups', server_id: '12345', keep: '1' }, expected: { operation: 'prune-backups', serverId: 12345, keep: 1 } }
  ])('$inputs.operation with $inputs', async ({ inputs, expected }) => {
    const settings = await read(inputs)
    expect(specific(settings)).toEqual(expected)
    expect(warnedInputs()).toEqual([])
  })

  it('gives every operation the defaults of action.yml', async () => {
    const settings = await read({ operation: 'list-snapshots' })
    expect(settings.apiUrl.href).toBe('https://admin.vps.org/api/v1')
    expect(settings).toMatchObject({ apiToken: TOKEN, wait: true, timeoutMs: 30 * 60_000, pollIntervalMs: 2_000, dryRun: false, namePrefix: 'gha-' })
  })

  it('reads numbers with the whitespace @actions/core trims', async () => {
    expect(specific(await read({ operation: 'wait-snapshot', snapshot_id: ' 801\n', server_id: '  12345 ' }))).toEqual({
      operation: 'wait-snapshot',
      id: 801,
      serverId: 12345
    })
  })
})

describe('generated names and descriptions', () => {
  it('names a snapshot with name_prefix, the repository, the run id and the attempt', async () => {
    const settings = await read({ operation: 'create-snapshot', server_id: '1', name_prefix: 'ci_' })
    if (settings.operation !== 'create-snapshot') throw new Error('wrong operation')
    expect(settings.name.startsWith('ci_')).toBe(true)
    expect(settings.name).toContain('octo-org-web-app')
    expect(settings.name).toMatch(/-4242-3-/)
    expect(settings.name).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(settings.marker).toBe(settings.name)
  })

  it('gives two steps of the same run different names', async () => {
    const first = await read({ operation: 'create-snapshot', server_id: '1' })
    const second = await read({ operation: 'create-snapshot', server_id: '1' })
    if (first.operation !== 'create-snapshot' || second.operation !== 'create-snapshot') throw new Error('wrong operation')
    expect(first.name).not.toBe(second.name)
  })

  it('marks a backup with a marker that starts with name_prefix', async () => {
    const settings = await read({ operation: 'create-backup', server_id: '1', name_prefix: 'deploy-' })
    if (settings.operation !== 'create-backup') throw new Error('wrong operation')
    expect(settings.marker).toMatch(/^deploy-octo-org-web-app-4242-3-/)
  })

  it('describes a snapshot by repository, commit, workflow and run', async () => {
    const settings = await read({ operation: 'create-snapshot', server_id: '1' })
    if (settings.operation !== 'create-snapshot') throw new Error('wrong operation')
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
    { timeout: '2.5', ms: 2_500 }
  ])('timeout $timeout is $ms ms', async ({ timeout, ms }) => {
    expect((await read({ operation: 'list-snapshots', timeout })).timeoutMs).toBe(ms)
  })

  it.each([
    { poll_interval: '2', ms: 2_000 },
    { poll_interval: '0.1', ms: 100 },
    { poll_interval: '0.5', ms: 500 },
    { poll_interval: '30', ms: 30_000 }
  ])('poll_interval $poll_interval is $ms ms', async ({ poll_interval, ms }) => {
    expect((await read({ operation: 'list-snapshots', poll_interval })).pollIntervalMs).toBe(ms)
  })

  it.each([
    { raw: 'true', value: true },
    { raw: 'True', value: true },
    { raw: 'TRUE', value: true },
    { raw: 'false', value: false },
    { raw: 'False', value: false },
    { raw: 'FALSE', value: false }
  ])('reads wait and dry_run "$raw" as $value', async ({ raw, value }) => {
    expect(await read({ operation: 'list-snapshots', wait: raw, dry_run: raw })).toMatchObject({ wait: value, dryRun: value })
  })

  it.each([
    'https://admin.vps.org/api/v1',
    'https://admin.vps.org/api/v1/',
    'https://vps.internal.example:8443/v1',
    'http://127.0.0.1:8080/api/v1',
    'http://localhost/api/v1',
    'http://localhost:3000/api/v1',
    'http://[::1]:9/api/v1'
  ])('accepts api_url %s', async apiUrl => {
    expect((await read({ operation: 'list-snapshots', api_url: apiUrl })).apiUrl.href).toBe(new URL(apiUrl).href)
  })

  it.each<{ input: InputName; value: string; fallback: unknown; read: (settings: Settings) => unknown }>([
    { input: 'timeout', value: '', fallback: 30 * 60_000, read: settings => settings.timeoutMs },
    { input: 'timeout', value: '   ', fallback: 30 * 60_000, read: settings => settings.timeoutMs },
    { input: 'name_prefix', value: '', fallback: 'gha-', read: settings => settings.namePrefix },
    { input: 'poll_interval', value: '', fallback: 2_000, read: settings => settings.pollIntervalMs }
  ])('takes an empty $input as not given, as @actions/core does: the default', async ({ input, value, fallback, read: pick }) => {
    expect(pick(await read({ operation: 'list-snapshots', [input]: value }))).toBe(fallback)
  })

  it.each(['0.0004', '0.4ms'])('refuses timeout %s, which rounds to 0 ms', async timeout => {
    expect((await failure({ operation: 'list-snapshots', timeout })).input).toBe('timeout')
  })

  it('refuses an empty timeout or name_prefix where one reaches the parsers', () => {
    expect(() => parseDuration('timeout', '')).toThrow(InputError)
    expect(() => parseName('name_prefix', '')).toThrow(InputError)
  })
})

const BAD_IDS = ['abc', '0', '-1', '1.5', '12abc', '1e3', '0x10', '99999999999999999999']

describe('bad input fails before any request, naming the input', () => {
  it.each<{ case: string; inputs: Inputs; input: InputName }>([
    ...BAD_IDS.map(value => ({ case: `server_id "${value}"`, inputs: { operation: 'create-snapshot', server_id: value }, input: 'server_id' as const })),
    ...BAD_IDS.map(value => ({ case: `snapshot_id "${value}"`, inputs: { operation: 'delete-snapshot', snapshot_id: value }, input: 'snapshot_id' as const })),
    ...BAD_IDS.map(value => ({ case: `backup_id "${value}"`, inputs: { operation: 'restore-backup', server_id: '1', backup_id: value }, input: 'backup_id' as const })),
    { case: 'server_id "abc" as a list filter', inputs: { operation: 'list-snapshots', server_id: 'abc' }, input: 'server_id' },
    { case: 'snapshot_id "-3" to restore', inputs: { operation: 'restore-snapshot', snapshot_id: '-3' }, input: 'snapshot_id' },
    { case: 'snapshot_id "Latest"', inputs: { operation: 'restore-snapshot', snapshot_id: 'Latest', server_id: '1' }, input: 'snapshot_id' },
    { case: 'snapshot_id "latest" to delete', inputs: { operation: 'delete-snapshot', snapshot_id: 'latest' }, input: 'snapshot_id' },
    { case: 'backup_id "latest" to wait for', inputs: { operation: 'wait-backup', backup_id: 'latest', server_id: '1' }, input: 'backup_id' },
    { case: 'name with a space', inputs: { operation: 'create-snapshot', server_id: '1', name: 'before deploy' }, input: 'name' },
    { case: 'name with a dot', inputs: { operation: 'create-snapshot', server_id: '1', name: 'v1.2' }, input: 'name' },
    { case: 'name with a slash', inputs: { operation: 'create-snapshot', server_id: '1', name: 'a/b' }, input: 'name' },
    { case: 'name with an accent', inputs: { operation: 'create-snapshot', server_id: '1', name: 'café' }, input: 'name' },
    { case: 'name to restore with a space', inputs: { operation: 'restore-snapshot', server_id: '1', name: 'pre migration' }, input: 'name' },
    { case: 'unknown operation', inputs: { operation: 'explode' }, input: 'operation' },
    { case: 'operation in another case', inputs: { operation: 'Create-Snapshot', server_id: '1' }, input: 'operation' },
    { case: 'operation with an underscore', inputs: { operation: 'create_snapshot', server_id: '1' }, input: 'operation' },
    { case: 'missing operation', inputs: { operation: undefined }, input: 'operation' },
    { case: 'missing api_token', inputs: { operation: 'list-snapshots', api_token: undefined }, input: 'api_token' },
    ...(['create-snapshot', 'create-backup', 'wait-snapshot', 'wait-backup', 'prune-snapshots', 'prune-backups'] as const).map(operation => ({
      case: `${operation} without server_id`,
      inputs: { operation, snapshot_id: '1', backup_id: '1', keep: '1' },
      input: 'server_id' as const
    })),
    { case: 'restore-backup without server_id', inputs: { operation: 'restore-backup', backup_id: '501' }, input: 'server_id' },
    { case: 'restore-backup without backup_id', inputs: { operation: 'restore-backup', server_id: '1' }, input: 'backup_id' },
    { case: 'delete-snapshot without snapshot_id', inputs: { operation: 'delete-snapshot' }, input: 'snapshot_id' },
    { case: 'delete-backup without backup_id', inputs: { operation: 'delete-backup' }, input: 'backup_id' },
    { case: 'wait-snapshot without snapshot_id', inputs: { operation: 'wait-snapshot', server_id: '1' }, input: 'snapshot_id' },
    { case: 'wait-backup without backup_id', inputs: { operation: 'wait-backup', server_id: '1' }, input: 'backup_id' },
    { case: 'restore-snapshot with neither snapshot_id nor name', inputs: { operation: 'restore-snapshot', server_id: '1' }, input: 'snapshot_id' },
    { case: 'restore-snapshot latest without server_id', inputs: { operation: 'restore-snapshot', snapshot_id: 'latest' }, input: 'server_id' },
    { case: 'restore-snapshot by name without server_id', inputs: { operation: 'restore-snapshot', name: 'pre-migration' }, input: 'server_id' },
    { case: 'restore-snapshot with both snapshot_id and name', inputs: { operation: 'restore-snapshot', snapshot_id: '801', name: 'x', server_id: '1' }, input: 'snapshot_id' },
    { case: 'restore-backup latest without server_id', inputs: { operation: 'restore-backup', backup_id: 'latest' }, input: 'server_id' },
    ...['yes', 'no', '1', 'on', 'tru'].map(value => ({ case: `wait "${value}"`, inputs: { operation: 'list-snapshots', wait: value }, input: 'wait' as const })),
    { case: 'dry_run "maybe"', inputs: { operation: 'list-snapshots', dry_run: 'maybe' }, input: 'dry_run' },
    { case: 'rollback_on_failure "y"', inputs: { operation: 'create-snapshot', server_id: '1', rollback_on_failure: 'y' }, input: 'rollback_on_failure' },
    ...['abc', '10x', '0', '0s', '-5', '1h 30m', '30 m', 'm'].map(value => ({
      case: `timeout "${value}"`,
      inputs: { operation: 'list-snapshots', timeout: value },
      input: 'timeout' as const
    })),
    ...['0', '0.05', 'fast', '-1', '2s', '.5'].map(value => ({
      case: `poll_interval "${value}"`,
      inputs: { operation: 'list-snapshots', poll_interval: value },
      input: 'poll_interval' as const
    })),
    ...['-1', '1.5', 'x', 'all'].map(value => ({ case: `keep "${value}" on create`, inputs: { operation: 'create-snapshot', server_id: '1', keep: value }, input: 'keep' as const })),
    ...['-1', '1.5', 'x'].map(value => ({ case: `keep "${value}" on prune`, inputs: { operation: 'prune-backups', server_id: '1', keep: value }, input: 'keep' as const })),
    { case: 'keep 0 for prune-snapshots', inputs: { operation: 'prune-snapshots', server_id: '1', keep: '0' }, input: 'keep' },
    { case: 'keep 0 for prune-backups', inputs: { operation: 'prune-backups', server_id: '1', keep: '0' }, input: 'keep' },
    { case: 'keep left at its default for prune-snapshots', inputs: { operation: 'prune-snapshots', server_id: '1' }, input: 'keep' },
    ...['Manual', 'all', 'daily'].map(value => ({ case: `backup_type "${value}"`, inputs: { operation: 'list-backups', backup_type: value }, input: 'backup_type' as const })),
    { case: 'token with a line feed', inputs: { operation: 'list-snapshots', api_token: 'vps_first\nZZtail' }, input: 'api_token' },
    { case: 'token with a carriage return', inputs: { operation: 'list-snapshots', api_token: 'vps_first\rZZtail' }, input: 'api_token' },
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
    ].map(value => ({ case: `api_url "${value}"`, inputs: { operation: 'list-snapshots', api_url: value }, input: 'api_url' as const })),
    ...['gha.', 'a b', 'x/', 'ci:'].map(value => ({ case: `name_prefix "${value}"`, inputs: { operation: 'list-snapshots', name_prefix: value }, input: 'name_prefix' as const }))
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
    setInputs({ api_token: token, ...inputs })
    try {
      await readSettings()
    } catch {
      // The failure itself is checked above; here only what reached the log matters.
    }
    const lines = stdoutLines()
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
  it.each<{ inputs: Inputs; ignored: InputName[] }>([
    { inputs: { operation: 'list-snapshots', snapshot_id: '5', keep: '3', description: 'x' }, ignored: ['description', 'keep', 'snapshot_id'] },
    { inputs: { operation: 'create-backup', server_id: '1', name: 'nightly' }, ignored: ['name'] },
    { inputs: { operation: 'delete-snapshot', snapshot_id: '5', server_id: '1' }, ignored: ['server_id'] },
    { inputs: { operation: 'delete-backup', backup_id: '5', snapshot_id: '6' }, ignored: ['snapshot_id'] },
    { inputs: { operation: 'restore-snapshot', snapshot_id: '5', rollback_on_failure: 'true' }, ignored: ['rollback_on_failure'] },
    { inputs: { operation: 'list-snapshots', backup_type: 'manual' }, ignored: ['backup_type'] },
    { inputs: { operation: 'wait-snapshot', snapshot_id: '5', server_id: '1', backup_id: '9', name: 'x' }, ignored: ['backup_id', 'name'] },
    { inputs: { operation: 'prune-snapshots', server_id: '1', keep: '2', description: 'x' }, ignored: ['description'] }
  ])('$inputs.operation warns, naming $ignored', async ({ inputs, ignored }) => {
    await read(inputs)
    expect(warnedInputs()).toEqual([...ignored].sort())
    const warnings = stdoutLines().filter(line => line.startsWith('::warning::'))
    for (const warning of warnings) expect(warning).toContain(inputs.operation)
  })

  it('does not warn about inputs left at their defaults', async () => {
    await read({ operation: 'list-backups', keep: '0', wait: 'true', rollback_on_failure: 'false', name_prefix: 'gha-' })
    expect(warnedInputs()).toEqual([])
  })

  it('does not warn when asked not to (the post step reads the inputs a second time)', async () => {
    await read({ operation: 'list-snapshots', snapshot_id: '5' }, { warnIgnored: false })
    expect(warnedInputs()).toEqual([])
  })
})
