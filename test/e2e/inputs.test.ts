// Bad inputs end to end: each fails the step before any request, with one error naming the input.
// A fresh emulator per case, so "no request at all" is that case's own.
import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { WEB, expectFailure, expectNoLeak, expectSuccess, start, step } from './helpers.ts'

interface BadInput {
  /** The input the error must name. */
  input: string
  inputs: Record<string, string>
}

const create = { operation: 'create-snapshot', server_id: String(WEB) }

const BAD_INPUTS: Array<[string, BadInput]> = [
  ['an unknown operation', { input: 'operation', inputs: { operation: 'snapshot', server_id: String(WEB) } }],
  ['a missing operation', { input: 'operation', inputs: { operation: '' } }],
  ['a missing api_token', { input: 'api_token', inputs: { ...create, api_token: '' } }],
  ['an api_url that is not a URL', { input: 'api_url', inputs: { ...create, api_url: 'admin.vps.org/api/v1' } }],
  ['an http:// api_url to a remote host', { input: 'api_url', inputs: { ...create, api_url: 'http://admin.vps.org/api/v1' } }],
  ['a missing server_id (create-snapshot)', { input: 'server_id', inputs: { operation: 'create-snapshot' } }],
  ['a missing server_id (create-backup)', { input: 'server_id', inputs: { operation: 'create-backup' } }],
  ['a missing server_id (restore-backup)', { input: 'server_id', inputs: { operation: 'restore-backup', backup_id: '501' } }],
  ['a missing server_id (wait-snapshot)', { input: 'server_id', inputs: { operation: 'wait-snapshot', snapshot_id: '801' } }],
  ['a missing server_id (prune-backups)', { input: 'server_id', inputs: { operation: 'prune-backups', keep: '2' } }],
  ['server_id 0', { input: 'server_id', inputs: { ...create, server_id: '0' } }],
  ['a negative server_id', { input: 'server_id', inputs: { ...create, server_id: '-12345' } }],
  ['a fractional server_id', { input: 'server_id', inputs: { ...create, server_id: '12345.5' } }],
  ['a server_id in exponent form', { input: 'server_id', inputs: { ...create, server_id: '1e5' } }],
  ['a server_id with trailing text', { input: 'server_id', inputs: { ...create, server_id: '12345abc' } }],
  ['a server_id beyond the safe integers', { input: 'server_id', inputs: { ...create, server_id: '99999999999999999999' } }],
  ['a non-integer server_id filter', { input: 'server_id', inputs: { operation: 'list-snapshots', server_id: 'web' } }],
  ['a missing snapshot_id (delete-snapshot)', { input: 'snapshot_id', inputs: { operation: 'delete-snapshot' } }],
  ['snapshot_id 0', { input: 'snapshot_id', inputs: { operation: 'delete-snapshot', snapshot_id: '0' } }],
  ['snapshot_id latest where only an id is allowed', { input: 'snapshot_id', inputs: { operation: 'delete-snapshot', snapshot_id: 'latest' } }],
  ['a negative snapshot_id', { input: 'snapshot_id', inputs: { operation: 'restore-snapshot', snapshot_id: '-801', server_id: String(WEB) } }],
  ['neither snapshot_id nor name (restore-snapshot)', { input: 'snapshot_id', inputs: { operation: 'restore-snapshot', server_id: String(WEB) } }],
  ['both snapshot_id and name (restore-snapshot)', { input: 'snapshot_id', inputs: { operation: 'restore-snapshot', snapshot_id: '801', name: 'nightly', server_id: String(WEB) } }],
  ['snapshot_id latest without server_id', { input: 'server_id', inputs: { operation: 'restore-snapshot', snapshot_id: 'latest' } }],
  ['a snapshot name without server_id', { input: 'server_id', inputs: { operation: 'restore-snapshot', name: 'nightly' } }],
  ['a non-integer snapshot_id (wait-snapshot)', { input: 'snapshot_id', inputs: { operation: 'wait-snapshot', snapshot_id: 'abc', server_id: String(WEB) } }],
  ['a missing backup_id (restore-backup)', { input: 'backup_id', inputs: { operation: 'restore-backup', server_id: String(WEB) } }],
  ['a non-integer backup_id', { input: 'backup_id', inputs: { operation: 'restore-backup', backup_id: 'newest', server_id: String(WEB) } }],
  ['a fractional backup_id', { input: 'backup_id', inputs: { operation: 'wait-backup', backup_id: '501.0', server_id: String(WEB) } }],
  ['a negative backup_id', { input: 'backup_id', inputs: { operation: 'delete-backup', backup_id: '-501' } }],
  ['a name with a space', { input: 'name', inputs: { ...create, name: 'pre deploy' } }],
  ['a name with a slash', { input: 'name', inputs: { operation: 'restore-snapshot', name: 'nightly/1', server_id: String(WEB) } }],
  ['a name with a non-ASCII letter', { input: 'name', inputs: { ...create, name: 'déploiement' } }],
  ['a name_prefix with a dot', { input: 'name_prefix', inputs: { ...create, name_prefix: 'gha.' } }],
  ['an unparseable wait', { input: 'wait', inputs: { ...create, wait: 'yes' } }],
  ['an unparseable timeout', { input: 'timeout', inputs: { ...create, timeout: 'soon' } }],
  ['a timeout in words', { input: 'timeout', inputs: { ...create, timeout: '10 minutes' } }],
  ['a zero timeout', { input: 'timeout', inputs: { ...create, timeout: '0' } }],
  ['a negative timeout', { input: 'timeout', inputs: { ...create, timeout: '-5s' } }],
  ['an unparseable poll_interval', { input: 'poll_interval', inputs: { ...create, poll_interval: 'fast' } }],
  ['a zero poll_interval', { input: 'poll_interval', inputs: { ...create, poll_interval: '0' } }],
  ['a negative poll_interval', { input: 'poll_interval', inputs: { ...create, poll_interval: '-1' } }],
  ['a negative keep', { input: 'keep', inputs: { ...create, keep: '-1' } }],
  ['a fractional keep', { input: 'keep', inputs: { operation: 'prune-snapshots', server_id: String(WEB), keep: '1.5' } }],
  ['a keep in words', { input: 'keep', inputs: { operation: 'create-backup', server_id: String(WEB), keep: 'two' } }],
  ['keep 0 for a prune', { input: 'keep', inputs: { operation: 'prune-snapshots', server_id: String(WEB), keep: '0' } }],
  ['an unknown backup_type', { input: 'backup_type', inputs: { operation: 'list-backups', backup_type: 'weekly' } }],
  ['an unparseable dry_run', { input: 'dry_run', inputs: { ...create, dry_run: 'maybe' } }],
  ['an unparseable rollback_on_failure', { input: 'rollback_on_failure', inputs: { ...create, rollback_on_failure: 'sometimes' } }]
]

describe.concurrent('bad input fails the step before any request', () => {
  it.each(BAD_INPUTS)('%s', async (_case, { input, inputs }) => {
    const emulator = await start()
    try {
      const result = await step(emulator, inputs)
      const error = expectFailure(result, `input "${input}"`)
      // It says what is allowed, not only that something is wrong.
      expect(error).toMatch(/must|required|may hold only|give only one/)
      expect(emulator.requests).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('a token with a line break, never printing the token', async () => {
    const emulator = await start()
    try {
      const result = await step(emulator, { ...create, api_token: 'emulator-token\nsecond-line' })
      expectFailure(result, 'input "api_token"', 'line break')
      expectNoLeak(result, 'emulator-token')
      expectNoLeak(result, 'second-line')
      expect(emulator.requests).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('an http:// api_url to a host that is not loopback, even one that would answer', async () => {
    const address = Object.values(networkInterfaces()).flat().find(entry => entry && !entry.internal && entry.family === 'IPv4')?.address
    const emulator = await start({ host: '0.0.0.0' })
    try {
      const port = new URL(emulator.url).port
      const remote = `http://${address ?? '192.0.2.1'}:${port}/api/v1`
      if (address) {
        // The emulator does answer there, so the step's silence is its own refusal.
        expect((await fetch(`${remote}/servers/${WEB}/`)).status).toBe(401)
        emulator.requests.length = 0
      }
      const refused = await step(emulator, { operation: 'list-snapshots', api_url: remote })
      expectFailure(refused, 'input "api_url"', 'https://')
      expect(emulator.requests).toEqual([])
      // The same emulator through loopback is accepted.
      const accepted = await step(emulator, { operation: 'list-snapshots', api_url: `http://127.0.0.1:${port}/api/v1` })
      expectSuccess(accepted)
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('the token', () => {
  const SECRET = 'vps-Secret-7f3a9c'

  it('appears only in ::add-mask:: lines, whether the step succeeds or the API refuses it', async () => {
    const emulator = await start({ token: SECRET })
    try {
      const created = await step(emulator, { ...create, api_token: SECRET, keep: '1' })
      expectSuccess(created)
      expect(created.stdout.split('\n').filter(line => line.includes(SECRET))).toEqual([`::add-mask::${SECRET}`])
      expect(emulator.requests.every(request => request.authorization === `Bearer ${SECRET}`)).toBe(true)
      const refused = await step(emulator, { operation: 'list-snapshots', api_token: `${SECRET}-old` })
      expectFailure(refused, 'HTTP 401')
      expectNoLeak(refused, SECRET)
      expect(refused.summary).not.toContain(SECRET)
    } finally {
      await emulator.close()
    }
  })
})
