// `npm run docs`: rewrites the README's inputs and outputs tables from action.yml, and its
// operations table from the operations' declarations (src/operations/, listed by src/registry.ts), between the marker
// comments `<!-- inputs:start -->` … `<!-- inputs:end -->` (the same for outputs, operations),
// and .env.example from action.yml's inputs (scripts/env-example.ts). test/docs.test.ts and
// test/env-example.test.ts fail when the committed files differ from what this would write.
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { Operation } from '../src/operation.ts'
import { OPERATIONS } from '../src/registry.ts'
import { renderEnvExample } from './env-example.ts'

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

/**
 * The README with its generated tables rewritten from action.yml's text and the operations; everything else unchanged.
 */
export function renderReadme(
  readme: string,
  actionYml: string,
  operations: readonly Pick<Operation, 'operation' | 'does' | 'gives' | 'gets'>[] = OPERATIONS
): string {
  const action = parse(actionYml) as ActionMetadata
  const inputs = Object.entries(action.inputs ?? {}).map(([name, input]) => [
    code(name),
    input.required ? 'yes' : 'no',
    input.default === undefined ? '–' : code(scalar(input.default)),
    cell(input.description)
  ])
  const outputs = Object.entries(action.outputs ?? {}).map(([name, output]) => [code(name), cell(output.description)])
  const rows = operations.map(entry =>
    [code(entry.operation), entry.does, entry.gives, entry.gets].map(text => text.replace(/\|/g, '\\|'))
  )
  const withInputs = replaceBetweenMarkers(
    readme,
    'inputs',
    table(['input', 'required', 'default', 'description'], inputs)
  )
  const withOutputs = replaceBetweenMarkers(withInputs, 'outputs', table(['output', 'description'], outputs))
  return replaceBetweenMarkers(
    withOutputs,
    'operations',
    table(['operation', 'what it does', 'you give', 'you get'], rows)
  )
}

/** A default as action.yml gives it: YAML may read `'0'` as a string and `0` as a number. */
function scalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
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
  return (text ?? '')
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\|*<]/g, '\\$&')
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
  const actionYml = await readFile(new URL('action.yml', root), 'utf8')
  const readmePath = fileURLToPath(new URL('README.md', root))
  const readme = await readFile(readmePath, 'utf8')
  const rendered = renderReadme(readme, actionYml)
  if (rendered === readme) console.log('README.md: the inputs, outputs and operations tables are already up to date.')
  else {
    await writeFile(readmePath, rendered)
    console.log(
      "README.md: rewrote the inputs and outputs tables from action.yml, and the operations table from the operations' declarations."
    )
  }
  const envExamplePath = fileURLToPath(new URL('.env.example', root))
  const envExample = renderEnvExample(actionYml)
  if (envExample === (await readFile(envExamplePath, 'utf8').catch(() => '')))
    return console.log('.env.example: already up to date.')
  await writeFile(envExamplePath, envExample)
  console.log(".env.example: rewrote it from action.yml's inputs.")
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`docs: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
