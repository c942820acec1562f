// Which snapshot or backup an operation acts on: `latest`, a name or an id, picked from a list.
import { describe, expect, it } from 'vitest'
import type { Snapshot } from '../../src/api/types.ts'
import { OperationError } from '../../src/errors.ts'
import { newestFirst, pickById, pickByName, pickLatest, requireCompleted } from '../../src/plan/selection.ts'
import { backup, day, ids, OTHER_SERVER, SERVER, snapshot } from '../support/fixtures.ts'

const lookup = (items: Snapshot[], serverId: number | undefined) => ({ noun: 'snapshot', serverId, items })

describe('newestFirst', () => {
  it('orders by the time created, not by the text of created_at, and leaves its input alone', () => {
    const items = [
      snapshot({ id: 1, created_at: '2025-01-15T19:00:00+02:00' }), // 17:00 UTC
      snapshot({ id: 2, created_at: '2025-01-15T18:30:00Z' }),
      snapshot({ id: 3, created_at: '2025-01-14T23:00:00Z' })
    ]
    expect(ids(newestFirst(items))).toEqual([2, 1, 3])
    expect(ids(items)).toEqual([1, 2, 3])
  })

  it('breaks a tie on created_at by the higher id', () => {
    const items = [
      snapshot({ id: 7, created_at: day(3) }),
      snapshot({ id: 9, created_at: day(3) }),
      snapshot({ id: 8, created_at: day(3) })
    ]
    expect(ids(newestFirst(items))).toEqual([9, 8, 7])
  })
})

describe('pickLatest', () => {
  it.each([
    {
      case: 'the newest of several completed',
      items: [
        snapshot({ id: 1, created_at: day(1) }),
        snapshot({ id: 3, created_at: day(3) }),
        snapshot({ id: 2, created_at: day(2) })
      ],
      picked: 3
    },
    {
      case: 'past a newer one still in progress',
      items: [snapshot({ id: 1, created_at: day(1) }), snapshot({ id: 2, created_at: day(5), status: 'in_progress' })],
      picked: 1
    },
    {
      case: 'past a newer one that failed',
      items: [snapshot({ id: 4, created_at: day(1) }), snapshot({ id: 5, created_at: day(5), status: 'failed' })],
      picked: 4
    },
    {
      case: 'past newer ones in any other status',
      items: [
        snapshot({ id: 1, created_at: day(1) }),
        snapshot({ id: 2, created_at: day(2), status: 'error' }),
        snapshot({ id: 3, created_at: day(3), status: 'in_progress' })
      ],
      picked: 1
    },
    {
      case: 'by time, whatever the id order',
      items: [snapshot({ id: 90, created_at: day(1) }), snapshot({ id: 10, created_at: day(2) })],
      picked: 10
    },
    {
      case: 'by time, whatever the time zone written',
      items: [
        snapshot({ id: 1, created_at: '2025-01-15T19:00:00+02:00' }),
        snapshot({ id: 2, created_at: '2025-01-15T18:30:00Z' })
      ],
      picked: 2
    },
    { case: 'the only one', items: [snapshot({ id: 6 })], picked: 6 }
  ])('picks $case', ({ items, picked }) => {
    expect(pickLatest(lookup(items, SERVER)).id).toBe(picked)
  })

  it('works for backups as well', () => {
    const items = [
      backup({ id: 501, created_at: day(1) }),
      backup({ id: 502, created_at: day(2), backup_type: 'automatic' })
    ]
    expect(pickLatest({ noun: 'backup', serverId: SERVER, items }).id).toBe(502)
  })

  it.each([
    { case: 'no items at all', items: [] as Snapshot[] },
    { case: 'only one in progress', items: [snapshot({ id: 1, status: 'in_progress' })] },
    { case: 'only failed ones', items: [snapshot({ id: 1, status: 'failed' }), snapshot({ id: 2, status: 'error' })] }
  ])('fails, naming the server, when there is $case', ({ items }) => {
    const pick = () => pickLatest(lookup(items, SERVER))
    expect(pick).toThrow(OperationError)
    expect(pick).toThrow(new RegExp(`server ${SERVER}.*no completed snapshot`))
  })
})

describe('pickByName', () => {
  it.each([
    {
      case: 'the only one of that name',
      items: [snapshot({ id: 1, name: 'pre-migration' }), snapshot({ id: 2, name: 'other' })],
      picked: 1
    },
    {
      case: 'the newest completed of several of that name',
      items: [
        snapshot({ id: 1, name: 'nightly', created_at: day(1) }),
        snapshot({ id: 2, name: 'nightly', created_at: day(3) }),
        snapshot({ id: 3, name: 'nightly', created_at: day(2) })
      ],
      picked: 2
    },
    {
      case: 'a completed one past a newer one of that name in progress',
      items: [
        snapshot({ id: 1, name: 'nightly', created_at: day(1) }),
        snapshot({ id: 2, name: 'nightly', created_at: day(2), status: 'in_progress' })
      ],
      picked: 1
    },
    {
      case: 'the exact name, not a longer one or another case',
      items: [
        snapshot({ id: 1, name: 'deploy', created_at: day(1) }),
        snapshot({ id: 2, name: 'deploy-2', created_at: day(2) }),
        snapshot({ id: 3, name: 'Deploy', created_at: day(3) })
      ],
      picked: 1
    }
  ])('picks $case', ({ items, picked }) => {
    expect(pickByName(lookup(items, SERVER), items.find(item => item.id === picked)!.name).id).toBe(picked)
  })

  it('fails, naming the name and the server, when no snapshot has that name', () => {
    const pick = () => pickByName(lookup([snapshot({ id: 1, name: 'other' })], SERVER), 'missing')
    expect(pick).toThrow(OperationError)
    expect(pick).toThrow(/"missing"/)
    expect(pick).toThrow(new RegExp(`server ${SERVER}`))
  })

  it('fails, naming the status, when the snapshot of that name is not completed', () => {
    const pick = () =>
      pickByName(lookup([snapshot({ id: 4, name: 'nightly', status: 'in_progress' })], SERVER), 'nightly')
    expect(pick).toThrow(OperationError)
    expect(pick).toThrow(/in_progress/)
  })
})

describe('pickById', () => {
  const items = [snapshot({ id: 801 }), snapshot({ id: 802, server: { id: OTHER_SERVER, name: 'db-01' } })]

  it.each([
    { case: 'on the server named', id: 801, serverId: SERVER },
    { case: 'of another server when no server is named', id: 802, serverId: undefined },
    { case: 'on its own server', id: 802, serverId: OTHER_SERVER }
  ])('finds the item $case', ({ id, serverId }) => {
    expect(pickById(lookup(items, serverId), id)).toBe(items.find(item => item.id === id))
  })

  it('refuses another server’s item, naming both servers', () => {
    const pick = () => pickById(lookup(items, SERVER), 802)
    expect(pick).toThrow(OperationError)
    expect(pick).toThrow(new RegExp(`802.*${OTHER_SERVER}.*${SERVER}`))
  })

  it.each([
    { serverId: SERVER, mentions: [/snapshot 999/, new RegExp(`server ${SERVER}`)] },
    { serverId: undefined, mentions: [/snapshot 999/] }
  ])('fails, naming the id, when it is not in the list (server $serverId)', ({ serverId, mentions }) => {
    const pick = () => pickById(lookup(items, serverId), 999)
    expect(pick).toThrow(OperationError)
    for (const mention of mentions) expect(pick).toThrow(mention)
  })
})

describe('requireCompleted', () => {
  it('passes a completed item through', () => {
    const item = snapshot({ id: 5 })
    expect(requireCompleted('snapshot', item)).toBe(item)
  })

  it.each(['in_progress', 'failed', 'error', 'restoring'])(
    'refuses an item that is %s, naming the id and status',
    status => {
      const check = () => requireCompleted('backup', backup({ id: 77, status }))
      expect(check).toThrow(OperationError)
      expect(check).toThrow(/backup 77/)
      expect(check).toThrow(new RegExp(status))
    }
  )
})
