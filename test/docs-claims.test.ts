// What the documents say the action does, beside a run of the action that shows it. Each claim
// quotes the documents that make it, so that rewording one brings its check back into view, and
// runs the action (in-process on the emulator, or the committed bundle where the runner's
// protocol matters) to see that it holds. docs.test.ts checks the documents' form; this, their word.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createSnapshots } from '../src/operations/create.ts'
import { test as inProcess, createSettings, summaryOf, WEB, type Api } from './support/in-process.ts'
import { createSnapshot } from './support/one-server.ts'

/** A document of the repository, its lines joined as GitHub renders a paragraph. */
function read(document: string): string {
  return readFileSync(new URL(`../${document}`, import.meta.url), 'utf8').replace(/\s+/g, ' ')
}

/** The document still makes the claim this check is for. */
function expectSays(document: string, quote: string): void {
  expect(read(document).includes(quote), `${document} no longer says "${quote}": check the claim and this test together`).toBe(true)
}
describe('a create with wait: false makes none of the deletions planned after it, and says so only when it had one', () => {
  function addOwn(api: Api, serverId: number, count: number): void {
    for (let n = 1; n <= count; n++) {
      api.emulator.addSnapshot({ serverId, name: `gha-acme-shop-${n}-1-abcdef`, createdAt: new Date(api.clock.now() - n * 3_600_000).toISOString() })
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
      `Server ${WEB}: Rotation skipped: the new snapshot is not completed yet (wait is false). Run prune-snapshots once it is.`
    ])
  })

  inProcess('in a fleet: a notice for the server that had a deletion to skip, none for the other', async ({ api }) => {
    for (const id of [101, 102]) api.emulator.addServer({ id, name: `web-${id}` })
    addOwn(api, 101, 3)
    addOwn(api, 102, 1)
    const step = api.step()
    await createSnapshots({ ...step.settings, ...createSettings({ keep: 2, wait: false }), serverIds: [101, 102], maxParallel: 2 }, step.tools)
    expect(api.writes()).toEqual(['POST /snapshots/', 'POST /snapshots/'])
    expect(summaryOf(step, 'notice')).toEqual([expect.stringMatching(/^Server 101: Rotation skipped: /)])
  })
})
