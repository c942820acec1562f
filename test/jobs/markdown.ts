// The recipes' workflows are read from the documentation itself, under their headings, so
// that each recipe is written once and what a reader copies is what the tests prove: a recipe
// changed in the docs is tested as changed, and one that no longer matches its table fails.
// Every function takes the file and the heading, wherever the recipes live.
import { readFileSync } from 'node:fs'

export interface Section {
  heading: string
  /** 2 for `##`, 3 for `###`, … */
  level: number
  /** The lines under the heading, up to the next heading of the same level or higher. */
  body: string
  /** 1-based line of the heading in the file. */
  line: number
}

interface Heading {
  text: string
  level: number
  index: number
}

const FENCE = /^\s*(```|~~~)/
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/

/** A heading as a reader sees it: without its code marks. */
function plain(text: string): string {
  return text.replace(/`/g, '').trim()
}

/** The headings of a Markdown text, those inside fenced code (a `# comment` in a shell block) left out. */
function headings(lines: string[]): Heading[] {
  const found: Heading[] = []
  let fenced = false
  lines.forEach((line, index) => {
    if (FENCE.test(line)) fenced = !fenced
    const match = fenced ? null : HEADING.exec(line)
    if (match) found.push({ text: plain(match[2] ?? ''), level: match[1]?.length ?? 0, index })
  })
  return found
}

export function section(markdown: string, heading: string, file = 'the text'): Section {
  const lines = markdown.split('\n')
  const all = headings(lines)
  const matches = all.filter(candidate => candidate.text === plain(heading))
  if (matches.length !== 1) {
    const known = all.map(candidate => `${'#'.repeat(candidate.level)} ${candidate.text}`).join('\n  ')
    throw new Error(
      `${file} has ${matches.length === 0 ? 'no' : `${matches.length}`} heading "${plain(heading)}"; its headings:\n  ${known}`
    )
  }
  const start = matches[0] as Heading
  const end =
    all.find(candidate => candidate.index > start.index && candidate.level <= start.level)?.index ?? lines.length
  return {
    heading: start.text,
    level: start.level,
    body: lines.slice(start.index + 1, end).join('\n'),
    line: start.index + 1
  }
}

/** The fenced code blocks of a text, in order, with their info string (`yaml`, `sh`, …). */
export function codeBlocks(markdown: string): Array<{ info: string; code: string }> {
  return [...markdown.matchAll(/^(```|~~~)([^\n]*)\n([\s\S]*?)^\1\s*$/gm)].map(match => ({
    info: (match[2] ?? '').trim(),
    code: match[3] ?? ''
  }))
}

/** Whether a YAML block is a whole workflow rather than a fragment of one. */
function isWorkflow(code: string): boolean {
  return /^("on"|on):/m.test(code) && /^jobs:/m.test(code)
}

/** The one workflow (a fenced yaml block with `on:` and `jobs:`) under a heading of a Markdown file. */
export function workflowUnder(file: string, heading: string): string {
  const found = section(readFileSync(file, 'utf8'), heading, file)
  const workflows = codeBlocks(found.body).filter(block => block.info === 'yaml' && isWorkflow(block.code))
  if (workflows.length !== 1)
    throw new Error(
      `${file}, under "${found.heading}" (line ${found.line}): expected one yaml workflow, found ${workflows.length}`
    )
  return workflows[0]?.code ?? ''
}

/** Every whole workflow of a Markdown file, in order. */
export function allWorkflows(file: string): string[] {
  return codeBlocks(readFileSync(file, 'utf8'))
    .filter(block => block.info === 'yaml' && isWorkflow(block.code))
    .map(block => block.code)
}

/** What a section's text (outside code) asks a reader to create: repository secrets and variables. */
export function repositorySetup(file: string, heading: string): { secrets: string[]; vars: string[] } {
  const prose = section(readFileSync(file, 'utf8'), heading, file).body.replace(
    /^(```|~~~)[^\n]*\n[\s\S]*?^\1\s*$/gm,
    ''
  )
  const named = (kind: string) =>
    [...prose.matchAll(new RegExp(`repository\\s+${kind}\\s+\`([A-Za-z_][A-Za-z0-9_]*)\``, 'g'))].map(
      match => match[1] ?? ''
    )
  return { secrets: named('secret'), vars: named('variable') }
}
