// `node scripts/changelog.ts v1.2.3` (or 1.2.3): prints the section of CHANGELOG.md for that
// version, without its heading: the notes of its GitHub release (.github/workflows/release.yml).
// Exits 1, naming the version, when CHANGELOG.md has no section for it or the section is empty,
// so that a release is never published without its notes.
import { readFile } from 'node:fs/promises'

const VERSION = /^v?(\d+\.\d+\.\d+)$/

/** The body of the `## [version]` section of a Keep a Changelog file, trimmed. */
export function releaseNotes(changelog: string, tagOrVersion: string): string {
  const version = VERSION.exec(tagOrVersion)?.[1]
  if (!version) throw new Error(`'${tagOrVersion}' is not a version such as 1.2.3 or v1.2.3`)
  const lines = changelog.split(/\r?\n/)
  const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\](\\s|$)`)
  const start = lines.findIndex(line => heading.test(line))
  if (start === -1) throw new Error(`CHANGELOG.md has no section for ${version}: add one headed "## [${version}]"`)
  const rest = lines.slice(start + 1)
  // The section ends at the next version's heading, or at the link definitions that close the file.
  const end = rest.findIndex(line => /^## /.test(line) || /^\[[^\]]+\]: /.test(line))
  const notes = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim()
  if (notes === '') throw new Error(`CHANGELOG.md's section for ${version} is empty`)
  return notes
}

async function main(): Promise<void> {
  const [tag] = process.argv.slice(2)
  if (!tag) throw new Error('usage: node scripts/changelog.ts <version>, e.g. v1.2.3')
  const changelog = await readFile(new URL('../CHANGELOG.md', import.meta.url), 'utf8')
  process.stdout.write(`${releaseNotes(changelog, tag)}\n`)
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`changelog: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
