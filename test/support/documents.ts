// The project's documents and the workflows they show, for the tests that check them all.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from './bundle.ts'

/** Every Markdown document a user or a contributor reads: the README, and those it links to. */
export function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter(file => file.endsWith('.md'))
    .map(file => join('docs', file))
  return ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', ...docs.sort()]
}

export interface WorkflowBlock {
  /** `docs/recipes.md (Deploy with rollback)`. */
  name: string
  document: string
  content: string
  /** Lines before the block's first line in its document. */
  lineOffset: number
}

/** Every fenced ```yaml block of every document that is a whole workflow (it has `on:` and `jobs:`). */
export function workflowBlocks(): WorkflowBlock[] {
  return documents().flatMap(document => {
    const text = readFileSync(join(ROOT, document), 'utf8')
    return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map(match => ({ content: match[1] ?? '', lineOffset: text.slice(0, match.index).split('\n').length }))
      .filter(({ content }) => /^("on"|on):/m.test(content) && /^jobs:/m.test(content))
      .map(({ content, lineOffset }) => ({
        name: `${relative(ROOT, join(ROOT, document))} (${/^name: (.*)$/m.exec(content)?.[1] ?? 'unnamed'})`,
        document,
        content,
        lineOffset
      }))
  })
}
