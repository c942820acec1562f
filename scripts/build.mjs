// `npm run build`: ncc bundles src/ into dist/, then terser minifies every emitted script once
// more. ncc minifies only its main file and leaves lazily loaded chunks (each step's and each
// operation's code) as they are; and the license comments it keeps are already in
// dist/licenses.txt. Both cost start-up time and bytes in every user's job. Last, it writes
// dist/modules.txt, what each emitted file is made of, from ncc's stats: a dependency update
// that changes what the bundle loads shows in the diff, and test/startup.test.ts reads it.
// Plain JavaScript, so that whatever Node runs npm can build.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minify } from 'terser'

// undici's experimental Milo HTTP/1 parser (two WebAssembly builds, 165 kB) is loaded only for a
// client made with `useMilo: true`, or with `UNDICI_USE_MILO` set when `useMilo` is not given.
// The action's Agent passes `useMilo: false` (src/api/undici.ts), so the parser is never loaded
// and is left out of the bundle: undici's `require('../milo/….js')` of it stays a plain
// require, which would fail if it ever ran. test/startup.test.ts checks the bundle's module list
// and runs the bundle with UNDICI_USE_MILO=1.
const MILO = ['../milo/simd.js', '../milo/no-simd.js']
const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')

const stats = join(mkdtempSync(join(tmpdir(), 'vps-action-build-')), 'stats.json')

rmSync(dist, { recursive: true, force: true })
execFileSync('ncc', ['build', 'src/index.ts', '--out', 'dist', '--minify', '--no-source-map-register', '--license', 'licenses.txt', '--stats-out', stats, ...MILO.flatMap(path => ['--external', path])], {
  cwd: root,
  stdio: 'inherit'
})
writeFileSync(join(dist, 'modules.txt'), moduleList(JSON.parse(readFileSync(stats, 'utf8'))))
rmSync(stats)
for (const file of readdirSync(dist).filter(name => name.endsWith('.js')).sort()) {
  const path = join(dist, file)
  const before = readFileSync(path, 'utf8')
  const { code } = await minify(before, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } })
  if (code === undefined) throw new Error(`terser returned nothing for ${file}`)
  writeFileSync(path, code)
  console.log(`terser: ${file} ${before.length} → ${code.length} bytes`)
}

/**
 * Each emitted file and the modules in it, one path a line (concatenated modules one by one),
 * then the modules left to be required at run time: Node's own, and what the build keeps out.
 */
function moduleList({ chunks, modules }) {
  const files = new Map(chunks.map(chunk => [chunk.id, chunk.files.join(', ')]))
  const inFile = new Map([...files.values()].map(file => [file, new Set()]))
  const external = new Set()
  for (const module of modules) {
    const externalName = /^external "(.*)"$/.exec(module.name)?.[1]
    if (externalName) {
      external.add(externalName)
      continue
    }
    for (const inner of module.modules ?? [module]) {
      if (!inner.name.startsWith('./')) continue
      for (const id of module.chunks) inFile.get(files.get(id))?.add(inner.name.slice(2))
    }
  }
  const section = (title, names) => [title, ...[...names].sort().map(name => `  ${name}`)]
  return [
    '# What each file of dist/ is made of, written by `npm run build` (scripts/build.mjs) from the',
    "# bundler's stats. index.js is loaded by both steps; the others only when imported.",
    ...[...inFile].sort(([a], [b]) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b))).flatMap(([file, names]) => section(file, names)),
    ...section('required at run time, not bundled', external),
    ''
  ].join('\n')
}
