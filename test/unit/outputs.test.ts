// The step's outputs from its servers' typed results: one pure function for one server or a
// hundred, the rows in the order given, the single values only with one server.
import { describe, expect, it } from 'vitest'
import { renderOutputs, type ServerResult } from '../../src/outputs.ts'
import { backup, snapshot } from '../support/fixtures.ts'

const times = { startedAt: 0, endedAt: 1 }
const made = snapshot({
  id: 807,
  name: 'gha-x',
  status: 'completed',
  size_mb: 5120,
  created_at: '2026-12-01T10:00:00Z'
})

describe('renderOutputs', () => {
  it.each<{ name: string; results: ServerResult[]; statusOf: 'item' | 'server'; expected: Record<string, unknown> }>([
    {
      name: 'one server that made a snapshot: the single values, its row, its id by server',
      results: [{ serverId: 12345, item: made, ...times }],
      statusOf: 'item',
      expected: {
        snapshot_id: 807,
        snapshot_name: 'gha-x',
        size_mb: 5120,
        created_at: '2026-12-01T10:00:00Z',
        server_id: 12345,
        status: 'completed',
        results: [
          {
            server_id: 12345,
            snapshot_id: 807,
            snapshot_name: 'gha-x',
            size_mb: 5120,
            created_at: '2026-12-01T10:00:00Z',
            status: 'completed'
          }
        ],
        snapshot_ids: { 12345: 807 }
      }
    },
    {
      name: 'one server that failed before it made anything: server_id, and its row with the error',
      results: [{ serverId: 99, error: 'HTTP 404 from POST /snapshots/: Server not found.', ...times }],
      statusOf: 'item',
      expected: {
        server_id: 99,
        results: [{ server_id: 99, error: 'HTTP 404 from POST /snapshots/: Server not found.' }]
      }
    },
    {
      name: 'one wait whose item was never read: the id it was given',
      results: [{ serverId: 12345, asked: { kind: 'backup', id: 501 }, error: 'HTTP 401 …', ...times }],
      statusOf: 'item',
      expected: {
        backup_id: 501,
        server_id: 12345,
        results: [{ server_id: 12345, backup_id: 501, error: 'HTTP 401 …' }]
      }
    },
    {
      name: "a restore: the item it restored from and the server's status",
      results: [{ serverId: 12345, item: made, serverStatus: 'running', ...times }],
      statusOf: 'server',
      expected: {
        snapshot_id: 807,
        server_id: 12345,
        status: 'running',
        results: [
          {
            server_id: 12345,
            snapshot_id: 807,
            snapshot_name: 'gha-x',
            size_mb: 5120,
            created_at: '2026-12-01T10:00:00Z',
            status: 'running'
          }
        ],
        snapshot_ids: { 12345: 807 }
      }
    },
    {
      name: 'several servers, in the order given: no single values, every deletion, ids only where there is an item',
      results: [
        {
          serverId: 103,
          item: backup({
            id: 9,
            server: { id: 103, name: 'c' },
            size_mb: null,
            status: 'in_progress',
            created_at: '2026-12-01T10:00:00Z'
          }),
          deletedIds: [3],
          ...times
        },
        { serverId: 101, deletedIds: [], error: 'HTTP 403 …', ...times }
      ],
      statusOf: 'item',
      expected: {
        results: [
          { server_id: 103, backup_id: 9, created_at: '2026-12-01T10:00:00Z', status: 'in_progress', deleted_ids: [3] },
          { server_id: 101, deleted_ids: [], error: 'HTTP 403 …' }
        ],
        backup_ids: { 103: 9 },
        deleted_ids: [3]
      }
    },
    {
      name: 'a server held back by the others: its row says so',
      results: [
        { serverId: 101, item: made, heldBack: 'not restored: …', ...times },
        { serverId: 102, error: 'server 102 has no completed snapshot', ...times }
      ],
      statusOf: 'server',
      expected: {
        results: [
          {
            server_id: 101,
            snapshot_id: 807,
            snapshot_name: 'gha-x',
            size_mb: 5120,
            created_at: '2026-12-01T10:00:00Z',
            error: 'not restored: …'
          },
          { server_id: 102, error: 'server 102 has no completed snapshot' }
        ],
        snapshot_ids: { 101: 807 }
      }
    },
    {
      name: 'a list of one server: its count',
      results: [{ serverId: 12345, count: 4, ...times }],
      statusOf: 'item',
      expected: { server_id: 12345, results: [{ server_id: 12345, count: 4 }] }
    }
  ])('$name', ({ results, statusOf, expected }) => {
    expect(renderOutputs(results, statusOf)).toEqual(expected)
  })
})
