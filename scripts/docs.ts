// `npm run docs`: rewrites the README's inputs and outputs tables from action.yml, between the
// marker comments `<!-- inputs:start -->` … `<!-- inputs:end -->` (and the same for outputs).
// test/docs.test.ts fails when the committed README differs from what this would write.
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

interface ActionInput {
  description?: string
  required?: boolean
  default?: unknown
}

interface ActionOutput {
  description?: string
}

interface ActionMetadata {
  inputs?: Record<string, ActionInput>
  outputs?: Record<string, ActionOutput>
}

/** The README with both generated tables rewritten from action.yml's text; everything else unchanged. */
export function renderReadme(readme: string, actionYml: string): string {
  const action = parse(actionYml) as ActionMetadata
  const inputs = Object.entries(action.inputs ?? {}).map(([name, input]) => [
    code(name),
    input.required ? 'yes' : 'no',
    input.default === undefined ? '–' : code(String(input.default)),
    cell(input.description)
  ])
  const outputs = Object.entries(action.outputs ?? {}).map(([name, output]) => [code(name), cell(output.description)])
  const withInputs = replaceBetweenMarkers(readme, 'inputs', table(['input', 'required', 'default', 'description'], inputs))
  return replaceBetweenMarkers(withInputs, 'outputs', table(['output', 'description'], outputs))
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map(row => `| ${row.join(' | ')} |`).join('\n')
}

/**
 * One table cell: folded onto one line; `|` escaped so it cannot end the cell, `*` so that
 * `create-*, … wait-*` is not read as emphasis, `<` so that no text is taken for HTML, and
 * `\` so that the text's own backslashes stay as written.
 */
function cell(text: string | undefined): string {
  return (text ?? '').trim().replace(/\s*\n\s*/g, ' ').replace(/[\\|*<]/g, '\\$&')
}

/** A name or default in a code span, where only `|` needs escaping: GitHub's tables read `\|` there as `|`. */
function code(text: string): string {
  return text === '' ? '(empty)' : `\`${text.replace(/\|/g, '\\|')}\``
}

function replaceBetweenMarkers(readme: string, section: string, content: string): string {
  const start = `<!-- ${section}:start -->`
  const end = `<!-- ${section}:end -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from === -1 || to === -1 || to < from) {
    throw new Error(`README.md needs the markers ${start} and ${end}, in that order, around the ${section} table`)
  }
  return `${readme.slice(0, from + start.length)}\n\n${content}\n\n${readme.slice(to)}`
}

async function main(): Promise<void> {
  const root = new URL('../', import.meta.url)
  const readmePath = fileURLToPath(new URL('README.md', root))
  const readme = await readFile(readmePath, 'utf8')
  const rendered = renderReadme(readme, await readFile(new URL('action.yml', root), 'utf8'))
  if (rendered === readme) return console.log('README.md: the inputs and outputs tables already match action.yml.')
  await writeFile(readmePath, rendered)
  console.log('README.md: rewrote the inputs and outputs tables from action.yml.')
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
