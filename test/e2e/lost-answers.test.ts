// What a flaky network or a hostile API answer must not do: create twice, lose the rollback
// target, fail a wait on a passing rate limit, or start a workflow command from API text.
import { describe, expect, it } from 'vitest'
import type { Fault } from '../emulator/server.ts'
import { WEB, expectFailure, expectSuccess, start, step, writes } from './helpers.ts'

const LOST_ANSWERS: Array<[string, Fault['kind']]> = [
  ['the connection drops after the API acted', 'reset-after'],
  ['the answer is cut in half', 'truncated-json'],
  ['the connection drops before the API acted', 'reset-before']
]

/** Lines that the runner would read as a workflow command, other than the action's own. */
function injectedCommands(stdout: string): string[] {
  const own = /^::(add-mask|debug|error|warning|notice|group|endgroup)::/
  // The hostile text below forges a `::warning::` line: the action's own commands are allowed,
  // that one is not.
  return stdout.split('\n').filter(line => line.startsWith('::') && (!own.test(line) || line.startsWith('::warning::injected')))
}

describe.concurrent('a create whose answer is lost', () => {
  it.each(LOST_ANSWERS)('snapshot, when %s: exactly one snapshot, in the outputs and the rollback target', async (_case, kind) => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', { kind } as Fault)
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), rollback_on_failure: 'true' })
      expectSuccess(result)
      const snapshots = emulator.snapshots(WEB)
      expect(snapshots).toHaveLength(1)
      expect(result.outputs).toMatchObject({ snapshot_id: String(snapshots[0]?.id), status: 'completed' })
      expect(JSON.parse(result.state.rollbackTarget ?? '')).toEqual({ kind: 'snapshot', id: snapshots[0]?.id, serverId: WEB })
      if (kind !== 'reset-before') expect(writes(emulator)).toEqual(['POST /snapshots/'])
    } finally {
      await emulator.close()
    }
  })

  it.each(LOST_ANSWERS)('backup, when %s: exactly one backup, in the outputs and the rollback target', async (_case, kind) => {
    const emulator = await start()
    try {
      emulator.inject('POST /backups/', { kind } as Fault)
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), rollback_on_failure: 'true' })
      expectSuccess(result)
      const backups = emulator.backups(WEB)
      expect(backups).toHaveLength(1)
      expect(result.outputs).toMatchObject({ backup_id: String(backups[0]?.id), status: 'completed' })
      expect(JSON.parse(result.state.rollbackTarget ?? '')).toEqual({ kind: 'backup', id: backups[0]?.id, serverId: WEB })
      if (kind !== 'reset-before') expect(writes(emulator)).toEqual(['POST /backups/'])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('passing API trouble during a wait', () => {
  it('a 429 with Retry-After and a proxy’s 503 page on status checks do not fail the wait', async () => {
    const emulator = await start()
    try {
      emulator.inject('GET /snapshots/',
        { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { detail: 'Request was throttled.' } },
        { kind: 'html', status: 503 })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectSuccess(result)
      expect(result.outputs.status).toBe('completed')
      expect(writes(emulator)).toEqual(['POST /snapshots/'])
    } finally {
      await emulator.close()
    }
  })
})

describe.concurrent('text from the API', () => {
  const HOSTILE = 'evil\n::warning::injected\r\n::set-output name=status::completed'

  it('never starts a workflow command from a snapshot name, in the log or the summary', async () => {
    const emulator = await start()
    try {
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: HOSTILE })
      const restored = await step(emulator, { operation: 'restore-snapshot', snapshot_id: String(snapshot.id), server_id: String(WEB) })
      expectSuccess(restored)
      expect(injectedCommands(restored.stdout)).toEqual([])
      const listed = await step(emulator, { operation: 'list-snapshots' })
      expectSuccess(listed)
      expect(injectedCommands(listed.stdout)).toEqual([])
      expect(listed.summary).not.toMatch(/^::/m)
      expect(JSON.parse(listed.outputs.items ?? '')[0].name).toBe(HOSTILE)
    } finally {
      await emulator.close()
    }
  })

  it('never adds a second error line from an API error message', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /backups/', { kind: 'status', status: 400, body: { detail: `refused\n::error::second error${HOSTILE}` } })
      const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB) })
      expectFailure(result, 'create-backup', 'HTTP 400', 'refused')
      expect(injectedCommands(result.stdout)).toEqual([])
    } finally {
      await emulator.close()
    }
  })
})
