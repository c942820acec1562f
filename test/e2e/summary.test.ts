// The job summary as a person reads it, through the committed bundle: one table for the
// operation (a row per server), no JSON, every table well formed, a dry run that says "would",
// the rollback in its own section, and no Markdown left literal after an HTML block.
import { describe, expect, it } from 'vitest'
import { fleetServers } from '../emulator/server.ts'
import { expectSuccess, start, step, test, WEB } from '../support/steps.ts'

/** Tables whose every cell and row is closed. */
function expectWellFormed(summary: string): void {
  for (const tag of ['table', 'tr', 'td', 'th'])
    expect(summary.split(`<${tag}>`).length, `<${tag}> closed`).toBe(summary.split(`</${tag}>`).length)
  // Markdown after an HTML block needs a blank line first, or GitHub shows it literally.
  for (const match of summary.matchAll(/<\/(h3|table)>\n(?!\n)/g))
    expect.fail(`no blank line after </${match[1]}>: ${summary.slice(match.index, match.index + 80)}`)
}

describe('the job summary', () => {
  it("a fleet's: one table of its servers and its timeline, no output table, no JSON", async () => {
    const emulator = await start({ servers: fleetServers(3) })
    try {
      const result = await step(emulator, { operation: 'create-snapshot', server_id: '101, 102, 103' })
      expectSuccess(result)
      expect(result.summary.match(/<table>/g)).toHaveLength(1)
      expect(result.summary).toContain('<tr><th>server</th><th>item</th><th>status</th>')
      expect(result.summary).not.toContain('<th>output</th>')
      expect(result.summary).not.toMatch(/\[\{|\{"/)
      expect(result.summary).toContain('```mermaid\ngantt')
      expectWellFormed(result.summary)
    } finally {
      await emulator.close()
    }
  })

  test('one server: one row, empty cells closed', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-backup', server_id: String(WEB), wait: 'false' })
    expectSuccess(result)
    expect(result.summary.match(/<table>/g)).toHaveLength(1)
    // A backup in progress has no size yet: its cell is empty, and closed.
    expect(result.summary).toMatch(/<td>in_progress<\/td><td><\/td>/)
    expectWellFormed(result.summary)
  })

  test('a dry run says it would, and that nothing changed', async ({ emulator }) => {
    const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB), dry_run: 'true' })
    expectSuccess(result)
    expect(result.summary).toContain('<h3>VPS.org create-snapshot: dry run, nothing changed</h3>')
    expect(result.summary).not.toMatch(/: done<\/h3>/)
    expect(result.summary).toMatch(/\nDry run: would create snapshot "[^"]+" of server 12345\.\n/)
    // The table says what each server would get, not a row of blanks; a dry run draws no timeline.
    expect(result.summary).toMatch(
      /<td>12345<\/td><td>would create snapshot &quot;|<td>12345<\/td><td>would create snapshot "/
    )
    expect(result.summary).not.toContain('```mermaid')
    expectWellFormed(result.summary)
  })

  test('the rollback in its own section, saying what is armed', async ({ emulator }) => {
    const result = await step(emulator, {
      operation: 'create-snapshot',
      server_id: String(WEB),
      rollback_on_failure: 'true'
    })
    expectSuccess(result)
    const [snapshot] = emulator.snapshots(WEB)
    expect(result.summary).toContain(
      `#### Rollback\n\nRollback armed: if a later step of this job fails, the post step restores server ${WEB} from snapshot ${snapshot?.id}.\n`
    )
    expectWellFormed(result.summary)
  })

  test('a list: its table of items, and its outputs without the items JSON', async ({ emulator }) => {
    emulator.addSnapshot({ serverId: WEB, name: 'kept' })
    const result = await step(emulator, { operation: 'list-snapshots' })
    expectSuccess(result)
    expect(result.summary).not.toMatch(/\[\{|\{"/)
    expect(result.summary).toContain('<td>kept</td>')
    expectWellFormed(result.summary)
  })
})
