// dist/licenses.txt against the build: every package whose code is bundled into dist/, in any
// chunk, has its notice there (its licence files as shipped, or its package.json `license` when
// it ships none), and no other package has one. The packages are derived from the build of the
// sources, from webpack's own module list (ncc's `--stats-out`), independently of how
// scripts/licenses.mjs derives them: each module's file is walked up to the nearest package.json
// with a name. The build is the one that made dist/ (test/support/build.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildOfDist } from './support/build.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LICENSES = readFileSync(join(ROOT, 'dist', 'licenses.txt'), 'utf8')
const SEPARATOR = '='.repeat(80)
const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i
// ncc and terser over the whole bundle, on a runner shared with the other tests.
const BUILD_TIMEOUT_MS = 180_000

interface StatsModule {
  nameForCondition?: string
  chunks?: unknown[]
  modules?: StatsModule[]
}

/** A bundled package: `name@version`, and what its notice must hold. */
interface BundledPackage {
  id: string
  license: string | undefined
  /** The text of each licence file it ships, trimmed. */
  texts: string[]
}

/** The files of every module webpack put into a chunk, concatenated modules opened up. */
function bundledFiles(stats: { modules?: StatsModule[] }): string[] {
  const files: string[] = []
  const visit = (modules: StatsModule[] | undefined): void => {
    for (const module of modules ?? []) {
      if (module.nameForCondition) files.push(module.nameForCondition)
      visit(module.modules)
    }
  }
  visit((stats.modules ?? []).filter(module => (module.chunks ?? []).length > 0))
  return files
}

/** The package a file belongs to: the nearest package.json above it that has a name. */
function owningPackage(
  file: string
): { dir: string; manifest: { name: string; version: string; license?: string } } | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json')
    if (!existsSync(path)) continue
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string; license?: string }
    if (manifest.name && manifest.version)
      return { dir, manifest: { ...manifest, name: manifest.name, version: manifest.version } }
  }
  return undefined
}

/** Every package other than this one that has code in the bundle. */
function bundledPackages(stats: { modules?: StatsModule[] }): BundledPackage[] {
  const packages = new Map<string, BundledPackage>()
  for (const file of bundledFiles(stats)) {
    const owner = owningPackage(file)
    if (!owner || owner.dir === ROOT.replace(/[\\/]$/, '')) continue
    const id = `${owner.manifest.name}@${owner.manifest.version}`
    if (packages.has(id)) continue
    const texts = readdirSync(owner.dir)
      .filter(name => LICENSE_FILE.test(name))
      .map(name => readFileSync(join(owner.dir, name), 'utf8').trim())
    packages.set(id, { id, license: owner.manifest.license, texts })
  }
  return [...packages.values()]
}

/** The notices of a licenses.txt, by their first line (`name@version`). */
function notices(licenses: string): Map<string, string> {
  const sections = licenses.split(`${SEPARATOR}\n`).slice(1)
  return new Map(sections.map(section => [section.slice(0, section.indexOf('\n')), section]))
}

/** What is wrong with `licenses` for these packages: each missing or incomplete notice, each extra one. */
function noticeProblems(licenses: string, packages: BundledPackage[]): string[] {
  const found = notices(licenses)
  const problems: string[] = []
  for (const { id, license, texts } of packages) {
    const notice = found.get(id)
    if (notice === undefined) problems.push(`${id}: no notice`)
    else if (texts.length === 0 && !(license && notice.includes(license)))
      problems.push(`${id}: neither a licence file nor its license field (${license})`)
    else if (texts.some(text => !notice.includes(text)))
      problems.push(`${id}: its notice lacks the text of a licence file it ships`)
  }
  const bundled = new Set(packages.map(({ id }) => id))
  for (const id of found.keys())
    if (!bundled.has(id)) problems.push(`${id}: a notice for a package that is not bundled`)
  return problems
}

/** `licenses` with the notice of `id` changed by `edit`, or removed when it returns undefined. */
function editNotice(licenses: string, id: string, edit: (notice: string) => string | undefined): string {
  const [intro, ...sections] = licenses.split(`${SEPARATOR}\n`)
  const edited = sections.flatMap(section => {
    if (!section.startsWith(`${id}\n`)) return [section]
    const changed = edit(section)
    return changed === undefined ? [] : [changed]
  })
  return [intro, ...edited].join(`${SEPARATOR}\n`)
}

describe('dist/licenses.txt', () => {
  let packages: BundledPackage[]

  beforeAll(() => {
    packages = bundledPackages(buildOfDist().stats)
  }, BUILD_TIMEOUT_MS)

  it('has the notice of every package bundled, in any chunk, and of no other', () => {
    // The toolkit is bundled into every build of the action: a list without it was not read from a build.
    expect(packages.map(({ id }) => id)).toContainEqual(expect.stringMatching(/^@actions\/core@/))
    expect(noticeProblems(LICENSES, packages), 'dist/licenses.txt is out of date: run `npm run build`').toEqual([])
  })

  it('is checked: a notice missing, cut short or left over is reported', () => {
    const [first, second] = packages
    if (!first || !second) throw new Error('the build bundles fewer than two packages')
    expect(
      noticeProblems(
        editNotice(LICENSES, first.id, () => undefined),
        packages
      )
    ).toEqual([`${first.id}: no notice`])

    const text = first.texts[0]
    if (text) {
      const cut = editNotice(LICENSES, first.id, notice => notice.replace(text, text.slice(0, text.length / 2)))
      expect(noticeProblems(cut, packages)).toEqual([
        `${first.id}: its notice lacks the text of a licence file it ships`
      ])
    }

    expect(
      noticeProblems(
        LICENSES,
        packages.filter(({ id }) => id !== second.id)
      )
    ).toEqual([`${second.id}: a notice for a package that is not bundled`])
  })
})
