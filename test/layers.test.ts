// The layers of src/ (test/support/layers.ts): every import runs down them or stays within one,
// every file of src/ is in one, nothing imports in a circle, and CONTRIBUTING.md draws them as
// the table has them.
import { readdirSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from './support/bundle.ts'
import { importsOf as importedFiles } from './support/imports.ts'
import { LAYERS } from './support/layers.ts'

const SRC = join(ROOT, 'src')

/** Every TypeScript file of src/, by its path from src/: `api/client.ts`. */
const FILES = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter(file => file.endsWith('.ts'))
  .map(file => file.split(sep).join('/'))
  .sort()

const MEMBERS = LAYERS.flatMap(layer => layer.members)

/** The folder (`api/`) or top-level file (`main.ts`) of the table that a file of src/ is. */
function memberOf(file: string): string | undefined {
  return MEMBERS.find(member => (member.endsWith('/') ? file.startsWith(member) : file === member))
}

function layerOf(file: string): number {
  const member = memberOf(file)
  return LAYERS.findIndex(layer => member !== undefined && layer.members.includes(member))
}

/** The files of src/ a file of src/ imports, both by their paths from src/. */
function importsOf(file: string): string[] {
  return (
    importedFiles(`src/${file}`)
      .map(imported => imported.file)
      // A package's own file imported by its path (run-context.ts) is not a file of src/.
      .filter(target => target.startsWith('src/'))
      .map(target => target.slice('src/'.length))
  )
}

const IMPORTS = new Map(FILES.map(file => [file, importsOf(file)]))

/**
 * The circles of a graph, each as the path that closes it (`a.ts → b.ts → a.ts`): the shortest
 * through each node that no circle already found passes through, so that one wrong import is
 * told as one or two circles, not as every way round them.
 */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[][] = []
  for (const node of [...graph.keys()].sort()) {
    if (found.some(circle => circle.includes(node))) continue
    const circle = shortestCircle(graph, node)
    if (circle) found.push(circle)
  }
  return found.map(circle => circle.join(' → '))
}

/** The shortest way from a node back to itself, by a breadth-first search; undefined when there is none. */
function shortestCircle(graph: ReadonlyMap<string, readonly string[]>, start: string): string[] | undefined {
  const cameFrom = new Map<string, string>()
  const queue = [start]
  for (const node of queue) {
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const path = [node]
        while (path[0] !== start) path.unshift(cameFrom.get(path[0] ?? '') ?? start)
        return [...path, start]
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node)
        queue.push(next)
      }
    }
  }
  return undefined
}

describe('the layers of src/', () => {
  it('hold every file of src/', () => {
    expect(
      FILES.filter(file => memberOf(file) === undefined),
      'files of src/ in no layer: add each to a layer of test/support/layers.ts'
    ).toEqual([])
  })

  it('name each folder or top-level file of src/ once, and only those that exist', () => {
    expect(
      MEMBERS.filter(member => !/^[\w-]+(\/|\.ts)$/.test(member)),
      'not a folder or a top-level file of src/'
    ).toEqual([])
    expect(
      MEMBERS.filter((member, index) => MEMBERS.indexOf(member) !== index),
      'in more than one place'
    ).toEqual([])
    expect(
      MEMBERS.filter(member => !FILES.some(file => memberOf(file) === member)),
      'not in src/'
    ).toEqual([])
  })

  it('are crossed only downwards: no file imports from a layer above its own', () => {
    const upwards = [...IMPORTS].flatMap(([file, targets]) =>
      targets
        .filter(target => layerOf(target) >= 0 && layerOf(target) < layerOf(file))
        .map(
          target =>
            `${file} (layer ${LAYERS[layerOf(file)]?.name}) imports ${target} (layer ${LAYERS[layerOf(target)]?.name}, above it)`
        )
    )
    expect(upwards, 'imports that run up the layers of test/support/layers.ts').toEqual([])
  })

  // An import that runs up is the test above's; with none, only imports within a layer can close a circle.
  it('hold no circle within a layer: no files, folders or top-level files that import one another, however far round', () => {
    const sideways = (file: string, target: string) => layerOf(target) === layerOf(file)
    const files = new Map(
      [...IMPORTS].map(([file, targets]) => [file, targets.filter(target => sideways(file, target))])
    )
    expect(circles(files), 'files that import one another').toEqual([])
    const members = new Map<string, string[]>()
    for (const [file, targets] of files) {
      const from = memberOf(file) ?? file
      const to = targets.map(target => memberOf(target) ?? target).filter(member => member !== from)
      members.set(from, [...new Set([...(members.get(from) ?? []), ...to])])
    }
    expect(circles(members), 'folders and top-level files that import one another').toEqual([])
  })
})

describe("CONTRIBUTING.md's picture of the layers", () => {
  const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8')
  const diagram = /```mermaid\n(flowchart TD\n[\s\S]*?)```/.exec(contributing)?.[1] ?? ''

  it("draws the table's layers in its order, each with its role, folders and files", () => {
    const drawn = [...diagram.matchAll(/^ *subgraph (\w+) \["([^"]*)"\]\n([\s\S]*?)^ *end$/gm)].map(
      ([, name, title, body]) => ({
        name,
        title,
        members: [...(body ?? '').matchAll(/\["([^"]+)"\]/g)].map(([, member]) => member)
      })
    )
    expect(drawn, "CONTRIBUTING.md's picture against the table of test/support/layers.ts").toEqual(
      LAYERS.map(({ name, role, members }) => ({ name, title: `${name}: ${role}`, members }))
    )
  })

  it('draws one arrow from each layer to the next below it, and no other', () => {
    const arrows = [...diagram.matchAll(/^ *(\w+(?: *--> *\w+)+) *$/gm)].flatMap(([, chain]) => {
      const names = (chain ?? '').split('-->').map(name => name.trim())
      return names.slice(1).map((name, index) => `${names[index]} --> ${name}`)
    })
    expect(arrows, "CONTRIBUTING.md's arrows against the order of test/support/layers.ts").toEqual(
      LAYERS.slice(1).map((layer, index) => `${LAYERS[index]?.name} --> ${layer.name}`)
    )
  })
})
