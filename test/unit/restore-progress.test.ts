// When a restore is finished: a pure function of the server's status, after the restore was accepted.
import { describe, expect, it } from 'vitest'
import { restoreProgress } from '../../src/plan/restore-progress.ts'

describe('restoreProgress', () => {
  it.each([
    // At rest again: finished.
    ['running', 'finished'],
    ['stopped', 'finished'],
    ['off', 'finished'],
    ['Running', 'finished'],
    // The provider stops the server, restores it, starts it: all of that is still the restore.
    ['stopping', 'in progress'],
    ['restoring', 'in progress'],
    ['starting', 'in progress'],
    ['rebooting', 'in progress'],
    ['migrating', 'in progress'],
    ['', 'in progress'],
    // An error ends it.
    ['failed', 'failed'],
    ['restore_failed', 'failed'],
    ['error', 'failed'],
    ['ERROR', 'failed']
  ])('a server "%s" after the restore was accepted: %s', (status, progress) => {
    expect(restoreProgress(status)).toBe(progress)
  })
})
