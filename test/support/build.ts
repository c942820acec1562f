// The build that made the committed dist/: its stats (every module, in which emitted file) and
// the list of what each file is made of. `npm run build` keeps both in node_modules/.cache with
// a hash of every file it wrote; while dist/ is still exactly that, they are read from there (so
// after every build, and in CI, where the build comes first). Otherwise the sources are built
// afresh into a scratch directory: slower, and just as true.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { moduleList } from '../../scripts/modules.mjs'
import { ROOT } from './bundle.ts'

export interface StatsModule {
  name: string
  nameForCondition?: string
  chunks?: unknown[]
  modules?: StatsModule[]
}

export interface BuildStats {
  chunks?: unknown[]
  modules?: StatsModule[]
}

const CACHE = join(ROOT, 'node_modules', '.cache', 'vps-action-build')

let built: { stats: BuildStats; modules: string } | undefined

function hashes(dir: string): string {
  return JSON.stringify(
    Object.fromEntries(
      readdirSync(dir)
        .sort()
        .map(file => [
          file,
          createHash('sha256')
            .update(readFileSync(join(dir, file)))
            .digest('hex')
        ])
    )
  )
}

export function buildOfDist(): { stats: BuildStats; modules: string } {
  built ??= fromCache() ?? freshBuild()
  return built
}

function fromCache(): { stats: BuildStats; modules: string } | undefined {
  const [stats, modules, recorded] = ['stats.json', 'modules.txt', 'dist-hashes.json'].map(file => join(CACHE, file))
  if (![stats, modules, recorded].every(file => file && existsSync(file))) return undefined
  if (JSON.stringify(JSON.parse(readFileSync(recorded ?? '', 'utf8'))) !== hashes(join(ROOT, 'dist'))) return undefined
  return {
    stats: JSON.parse(readFileSync(stats ?? '', 'utf8')) as BuildStats,
    modules: readFileSync(modules ?? '', 'utf8')
  }
}

function freshBuild(): { stats: BuildStats; modules: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'vps-action-fresh-build-'))
  try {
    const statsFile = join(scratch, 'stats.json')
    execFileSync(process.execPath, ['scripts/build.mjs', '--out', join(scratch, 'dist'), '--stats-out', statsFile], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` },
      stdio: 'pipe'
    })
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as BuildStats
    return { stats, modules: moduleList(stats) }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
