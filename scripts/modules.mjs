// What each file of a build is made of, from ncc's (webpack's) stats: one path a line under each
// emitted file, concatenated modules opened up, then what is left to be required at run time.
// Plain JavaScript, as scripts/build.mjs is.

/**
 * Each emitted file and the modules in it, one path a line (concatenated modules one by one),
 * then the modules left to be required at run time: Node's own, and what the build keeps out.
 */
export function moduleList({ chunks, modules }) {
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
    '# What each file of dist/ is made of, from the stats of the build that made it (scripts/build.mjs).',
    '# index.js is loaded by both steps; the others only when imported.',
    ...[...inFile]
      .sort(([a], [b]) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))
      .flatMap(([file, names]) => section(file, names)),
    ...section('required at run time, not bundled', external),
    ''
  ].join('\n')
}
