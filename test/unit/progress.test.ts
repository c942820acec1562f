// The progress line a person watching the log reads while the step waits.
import { describe, expect, it } from 'vitest'
import type { ServerState } from '../../src/tools.ts'
import { firstProgressLine } from '../support/progress.ts'

const waiting = (status: string | undefined, what = 'snapshot 807'): ServerState => ({ at: 'waiting', what, status })

describe('the progress line', () => {
  it.each<{ servers: Array<[number, ServerState]>; elapsedMs: number; line: string }>([
    {
      servers: [[12345, waiting('in_progress')]],
      elapsedMs: 70_000,
      line: 'Server 12345, 1 min 10 s: snapshot 807 in progress'
    },
    {
      servers: [[12345, waiting(undefined)]],
      elapsedMs: 1_000,
      line: 'Server 12345, 1.0 s: snapshot 807 waiting for its first check'
    },
    { servers: [[12345, waiting('restoring', '')]], elapsedMs: 30_000, line: 'Server 12345, 30 s: restoring' },
    {
      servers: [
        [101, { at: 'ended', outcome: 'completed', failed: false }],
        [102, waiting('in_progress')],
        [103, waiting('in_progress')]
      ],
      elapsedMs: 250_000,
      line: '3 servers, 4 min 10 s: 1 completed (101), 2 in progress (102, 103)'
    },
    {
      servers: [
        [104, { at: 'queued' }],
        [103, { at: 'working' }],
        [102, { at: 'ended', outcome: 'failed', failed: true }],
        [101, waiting('in_progress')],
        [105, { at: 'ended', outcome: 'completed', failed: false }]
      ],
      elapsedMs: 5_000,
      line: '5 servers, 5.0 s: 1 completed (105), 1 failed (102), 1 in progress (101), 1 at work (103), 1 not started (104)'
    }
  ])('$line', ({ servers, elapsedMs, line }) => {
    expect(firstProgressLine(servers, elapsedMs)).toBe(line)
  })
})
