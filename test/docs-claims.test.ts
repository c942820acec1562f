// What the documents say the action does, beside a run of the action that shows it. Each claim
// quotes the documents that make it, so that rewording one brings its check back into view, and
// runs the action (in-process on the emulator, or the committed bundle where the runner's
// protocol matters) to see that it holds. docs.test.ts checks the documents' form; this, their word.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { CREATE_SNAPSHOT } from '../src/operations/create.ts'
import { armedLine, type RollbackTarget } from '../src/state.ts'
import type { Emulator } from './emulator/server.ts'
import { test as inProcess, createSettings, summaryOf, WEB, type Api } from './support/in-process.ts'
import { createSnapshot } from './support/one-server.ts'
import { firstProgressLine } from './support/progress.ts'
import { test as bundled, expectSuccess, readLog, step } from './support/steps.ts'

/** A document of the repository, its lines joined as GitHub renders a paragraph. */
function read(document: string): string {
  return readFileSync(new URL(`../${document}`, import.meta.url), 'utf8').replace(/\s+/g, ' ')
}

/** The document still makes the claim this check is for. */
function expectSays(document: string, quote: string): void {
  expect(
    read(document).includes(quote),
    `${document} no longer says "${quote}": check the claim and this test together`
  ).toBe(true)
}

describe('a create with wait: false makes none of the deletions planned after it, and says so only when it had one', () => {
  function addOwn(api: Api, serverId: number, count: number): void {
    for (let n = 1; n <= count; n++) {
      api.emulator.addSnapshot({
        serverId,
        name: `gha-acme-shop-${n}-1-abcdef`,
        createdAt: new Date(api.clock.now() - n * 3_600_000).toISOString()
      })
    }
  }

  it('as behaviour.md and the recipes say', () => {
    expectSays(
      'docs/behaviour.md',
      'a notice says so only when the plan held at least one of them (once for each server that had one), and nothing is said when rotation would have deleted nothing'
    )
    expectSays('docs/recipes.md', 'a notice says so when there was at least one to make')
  })

  inProcess('with nothing beyond keep: no deletion, and no notice', async ({ api }) => {
    addOwn(api, WEB, 2)
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 3, wait: false }) }, step.tools)
    expect(api.writes()).toEqual(['POST /snapshots/'])
    expect(summaryOf(step, 'notice')).toEqual([])
  })

  inProcess('with one beyond keep: no deletion, and one notice', async ({ api }) => {
    addOwn(api, WEB, 3)
    const step = api.step()
    await createSnapshot({ ...step.settings, ...createSettings({ keep: 3, wait: false }) }, step.tools)
    expect(api.writes()).toEqual(['POST /snapshots/'])
    expect(summaryOf(step, 'notice')).toEqual([
      `Server ${WEB}: Deletions after the create skipped: the new snapshot is not completed yet (wait is false). Run prune-snapshots once it is.`
    ])
  })

  inProcess('in a fleet: a notice for the server that had a deletion to skip, none for the other', async ({ api }) => {
    for (const id of [101, 102]) api.emulator.addServer({ id, name: `web-${id}` })
    addOwn(api, 101, 3)
    addOwn(api, 102, 1)
    const step = api.step()
    await CREATE_SNAPSHOT.run(
      { ...step.settings, ...createSettings({ keep: 2, wait: false }), serverIds: [101, 102], maxParallel: 2 },
      step.tools
    )
    expect(api.writes()).toEqual(['POST /snapshots/', 'POST /snapshots/'])
    expect(summaryOf(step, 'notice')).toEqual([
      expect.stringMatching(/^Server 101: Deletions after the create skipped: /)
    ])
  })
})

describe('the operations that set snapshot_ids and backup_ids are those action.yml (and so the README) names', () => {
  const OUTPUTS = (
    parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
      outputs: Record<string, { description: string }>
    }
  ).outputs

  /** `After create-snapshot, wait-snapshot or restore-snapshot: …` gives those three. */
  function namedBy(output: string): string[] {
    const clause = /^After ([^:]+):/.exec(OUTPUTS[output]?.description.trim() ?? '')?.[1]
    expect(clause, `action.yml: the description of ${output} starts "After <operations>:"`).toBeDefined()
    return (clause ?? '').split(/, | or /).sort()
  }

  /**
   * Every operation of a kind, each with what it needs, on a server that has two completed items of the action's own.
   */
  function everyOperation(kind: 'snapshot' | 'backup', emulator: Emulator): Array<[string, Record<string, string>]> {
    const [older, newer] = [2, 1].map(hours => {
      const createdAt = new Date(Date.now() - hours * 3_600_000).toISOString()
      const description = `gha-acme-shop-${hours}-1-abcdef Before deploy`
      return kind === 'snapshot'
        ? emulator.addSnapshot({ serverId: WEB, name: `gha-acme-shop-${hours}-1-abcdef`, description, createdAt }).id
        : emulator.addBackup({ serverId: WEB, description, createdAt }).id
    })
    const id = `${kind}_id`
    const server = { server_id: String(WEB) }
    return [
      [`create-${kind}`, server],
      [`wait-${kind}`, { ...server, [id]: String(newer) }],
      [`restore-${kind}`, { ...server, [id]: 'latest' }],
      [`list-${kind}s`, server],
      [`delete-${kind}`, { [id]: String(older) }],
      [`prune-${kind}s`, { ...server, keep: '1' }]
    ]
  }

  describe.concurrent.each(['snapshot', 'backup'] as const)('%s', kind => {
    bundled(
      `every operation of the kind is run, and ${kind}_ids is set by exactly those named`,
      async ({ emulator }) => {
        const setters: string[] = []
        for (const [operation, inputs] of everyOperation(kind, emulator)) {
          const result = await step(emulator, { operation, ...inputs })
          expectSuccess(result)
          if (result.outputs[`${kind}_ids`]) setters.push(operation)
        }
        expect(setters.sort()).toEqual(namedBy(`${kind}_ids`))
      }
    )
  })
})

describe('the job summary of an operation that names servers has one table of its servers', () => {
  it('as behaviour.md says', () => {
    expectSays('docs/behaviour.md', 'of an operation that names servers has one table of its servers')
  })

  bundled('so does each of them, and an operation that names none (delete-*) has none', async ({ emulator }) => {
    const [snapshot, other] = [1, 2].map(n =>
      emulator.addSnapshot({ serverId: WEB, name: `gha-acme-shop-${n}-1-abcdef` })
    )
    const server = { server_id: String(WEB) }
    const operations: Array<[Record<string, string>, number]> = [
      [{ operation: 'create-snapshot', ...server }, 1],
      [{ operation: 'wait-snapshot', ...server, snapshot_id: String(snapshot?.id) }, 1],
      [{ operation: 'restore-snapshot', ...server, snapshot_id: 'latest' }, 1],
      [{ operation: 'list-snapshots', ...server }, 1],
      [{ operation: 'prune-snapshots', ...server, keep: '2' }, 1],
      [{ operation: 'delete-snapshot', snapshot_id: String(other?.id) }, 0]
    ]
    for (const [inputs, tables] of operations) {
      const result = await step(emulator, inputs)
      expectSuccess(result)
      expect(result.summary.split('<tr><th>server</th>').length - 1, `${inputs.operation}: tables of servers`).toBe(
        tables
      )
    }
  })
})

describe('the log lines the documents quote are the ones the action prints', () => {
  it('the armed line, for one server (README) and a fleet (behaviour.md)', () => {
    for (const document of ['README.md', 'docs/behaviour.md']) {
      const quotes = [...read(document).matchAll(/`(Rollback armed: [^`]*)`/g)].map(match => match[1] ?? '')
      expect(quotes.length, `${document} quotes the armed line`).toBeGreaterThan(0)
      for (const quote of quotes) {
        const targets = [...quote.matchAll(/server (\d+) from (snapshot|backup) (\d+)/g)].map(
          ([, serverId, kind, id]): RollbackTarget => ({
            kind: kind as RollbackTarget['kind'],
            id: Number(id),
            serverId: Number(serverId)
          })
        )
        expect(quote).toBe(armedLine(targets))
      }
    }
  })

  it('the progress line, for one server (README, behaviour.md) and a fleet (behaviour.md)', () => {
    const waiting = { at: 'waiting', what: 'snapshot 801', status: 'in_progress' } as const
    const one = firstProgressLine([[12345, waiting]], 250_000)
    const fleet = firstProgressLine(
      [
        [101, { at: 'ended', outcome: 'completed', failed: false }],
        [102, { ...waiting, what: 'snapshot 802' }],
        [103, { ...waiting, what: 'snapshot 803' }]
      ],
      250_000
    )
    for (const document of ['README.md', 'docs/behaviour.md']) expectSays(document, `\`${one}\``)
    expectSays('docs/behaviour.md', `\`${fleet}\``)
  })

  bundled('the line of a step asked to arm that failed (behaviour.md)', async ({ emulator }) => {
    const quote = /`(Rollback not armed: [^`]*)`/.exec(read('docs/behaviour.md'))?.[1]
    expect(quote, 'behaviour.md quotes the line').toBeDefined()
    emulator.failNextJob('snapshot', 'failed')
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true'
    })
    expect(result.exitCode).toBe(1)
    expect(readLog(result.stdout).outside).toContain(quote)
  })
})
