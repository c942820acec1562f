// `npm run build`: ncc bundles src/ into dist/, then terser minifies every emitted script once
// more. ncc minifies only its main file and leaves lazily loaded chunks (each step's and each
// operation's code) as they are; and the license comments it keeps cost start-up time and bytes
// in every user's job. The licences are in dist/licenses.txt instead, written from the build's
// own module list (scripts/licenses.mjs): ncc's `--license` writes only one chunk's packages.
// It also lists what each emitted file is made of (scripts/modules.mjs), from the same stats,
// beside them in the build cache: test/startup.test.ts reads that list.
// Plain JavaScript, so that whatever Node runs npm can build.
//   node scripts/build.mjs [--out DIR] [--stats-out FILE]
// --out builds elsewhere than dist/; --stats-out keeps ncc's webpack stats (test/licenses.test.ts).
// A build of dist/ also keeps its stats in node_modules/.cache, with a hash of each file it
// wrote, so that the licence test can read the module list of the very build that made dist/.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { minify } from 'terser'
import { bundledPackageDirs, readNotice, renderLicenses } from './licenses.mjs'
import { moduleList } from './modules.mjs'

// undici's experimental Milo HTTP/1 parser (two WebAssembly builds, 165 kB) is loaded only for a
// client made with `useMilo: true`, or with `UNDICI_USE_MILO` set when `useMilo` is not given.
// The action's Agent passes `useMilo: false` (src/api/undici.ts), so the parser is never loaded
// and is left out of the bundle: undici's `require('../milo/….js')` of it stays a plain
// require, which would fail if it ever ran. test/startup.test.ts checks the bundle's module list
// and runs the bundle with UNDICI_USE_MILO=1.
const MILO = ['../milo/simd.js', '../milo/no-simd.js']
const root = fileURLToPath(new URL('..', import.meta.url))
const { values: options } = parseArgs({ options: { out: { type: 'string' }, 'stats-out': { type: 'string' } } })
const dist = resolve(root, options.out ?? 'dist')
/** Where a build of dist/ leaves its stats and the hashes of what it wrote. */
const BUILD_CACHE = join(root, 'node_modules', '.cache', 'vps-action-build')
const scratch = mkdtempSync(join(tmpdir(), 'vps-action-build-'))
const statsFile = options['stats-out'] ? resolve(options['stats-out']) : join(scratch, 'stats.json')

try {
  rmSync(dist, { recursive: true, force: true })
  execFileSync(
    'ncc',
    [
      'build',
      'src/index.ts',
      '--out',
      dist,
      '--minify',
      '--no-source-map-register',
      '--stats-out',
      statsFile,
      ...MILO.flatMap(path => ['--external', path])
    ],
    {
      cwd: root,
      stdio: 'inherit'
    }
  )

  const stats = JSON.parse(readFileSync(statsFile, 'utf8'))
  const notices = bundledPackageDirs(stats).map(dir => readNotice(dir))
  writeFileSync(join(dist, 'licenses.txt'), renderLicenses(notices))
  console.log(
    `licenses.txt: ${new Set(notices.map(({ name, version }) => `${name}@${version}`)).size} bundled packages`
  )

  for (const file of readdirSync(dist)
    .filter(name => name.endsWith('.js'))
    .sort()) {
    const path = join(dist, file)
    const before = readFileSync(path, 'utf8')
    const { code } = await minify(before, {
      module: true,
      compress: { passes: 2 },
      mangle: true,
      format: { comments: false }
    })
    if (code === undefined) throw new Error(`terser returned nothing for ${file}`)
    writeFileSync(path, code)
    console.log(`terser: ${file} ${before.length} → ${code.length} bytes`)
  }
  if (options.out === undefined) {
    mkdirSync(BUILD_CACHE, { recursive: true })
    writeFileSync(join(BUILD_CACHE, 'stats.json'), JSON.stringify(stats))
    writeFileSync(join(BUILD_CACHE, 'modules.txt'), moduleList(stats))
    const hashes = Object.fromEntries(
      readdirSync(dist)
        .sort()
        .map(file => [
          file,
          createHash('sha256')
            .update(readFileSync(join(dist, file)))
            .digest('hex')
        ])
    )
    writeFileSync(join(BUILD_CACHE, 'dist-hashes.json'), `${JSON.stringify(hashes, null, 2)}\n`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
