// `npm run build`: ncc bundles src/ into dist/, then terser minifies every emitted script once
// more. ncc minifies only its main file and leaves lazily loaded chunks (the run context and
// @actions/github, loaded by creates alone) as they are; and the license comments it keeps are
// already in dist/licenses.txt. Both cost start-up time and bytes in every user's job.
// Plain JavaScript, so that whatever Node runs npm can build.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minify } from 'terser'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
execFileSync('ncc', ['build', 'src/index.ts', '--out', 'dist', '--minify', '--no-source-map-register', '--license', 'licenses.txt'], {
  cwd: root,
  stdio: 'inherit'
})
for (const file of readdirSync(dist).filter(name => name.endsWith('.js')).sort()) {
  const path = join(dist, file)
  const before = readFileSync(path, 'utf8')
  const { code } = await minify(before, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } })
  if (code === undefined) throw new Error(`terser returned nothing for ${file}`)
  writeFileSync(path, code)
  console.log(`terser: ${file} ${before.length} → ${code.length} bytes`)
}
