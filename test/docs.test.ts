// The README against action.yml: its generated tables (the docs drift check) and its workflow
// examples, which must use only inputs and outputs that exist and wire job outputs correctly,
// and the actions at the majors CI pins. And the repository's own workflows: pinned by SHA,
// checks run through .ci/run.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { renderReadme } from '../scripts/docs.ts'
import { OPERATIONS } from '../src/registry.ts'
import { documents, workflowBlocks } from './support/documents.ts'

/** A document of the repository, by its path from the root. */
function read(document: string): string {
  return readFileSync(new URL(`../${document}`, import.meta.url), 'utf8')
}

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const ACTION_YML = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
const ACTION = parse(ACTION_YML) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
const ACTION_REF = 'vps-org/snapshot-action@v1'
const WORKFLOWS_DIR = new URL('../.github/workflows/', import.meta.url)
const CI_YML = readFileSync(new URL('ci.yml', WORKFLOWS_DIR), 'utf8')

/** Every `uses:` of a workflow's text, with the comment after it (where a pin says its version). */
function usesLines(workflow: string): Array<{ action: string; ref: string; comment: string }> {
  return [...workflow.matchAll(/^\s*(?:- )?uses: *([^@\s]+)@(\S+)(?: +# *(.*))?$/gm)].map(match => ({
    action: match[1] ?? '',
    ref: match[2] ?? '',
    comment: (match[3] ?? '').trim()
  }))
}

/**
 * The major version of each action CI pins, from its `<sha> # vX.Y.Z` comment: the README's
 * examples use the same majors, as `@vX`, so that when Dependabot moves CI's pins the test
 * says which examples to move with them.
 */
const CI_MAJORS = new Map(
  usesLines(CI_YML).flatMap(({ action, comment }) => {
    const major = /^(v\d+)\.\d+\.\d+$/.exec(comment)?.[1]
    return major ? [[action, major] as const] : []
  })
)

describe('README tables', () => {
  it('match action.yml and the operations (run `npm run docs` after changing either)', () => {
    expect(README, 'README.md is out of date with action.yml or src/registry.ts: run `npm run docs`').toBe(
      renderReadme(README, ACTION_YML)
    )
  })

  it('list every input and output of action.yml', () => {
    for (const name of [...Object.keys(ACTION.inputs), ...Object.keys(ACTION.outputs)]) {
      expect(README).toContain(`| \`${name}\` |`)
    }
  })
})

describe('renderReadme', () => {
  const readme = [
    '# Title',
    '<!-- inputs:start -->',
    'old inputs',
    '<!-- inputs:end -->',
    'between',
    '<!-- outputs:start -->',
    '<!-- outputs:end -->',
    'after',
    '<!-- operations:start -->',
    '<!-- operations:end -->'
  ].join('\n')
  const operations = [{ operation: 'frob', does: 'Frobs a | b.', gives: '`server_id`', gets: '`count`' }]
  const actionYml = `
inputs:
  mode:
    description: >-
      Either a | b, folded
      over two lines; create-* and wait-*.
    required: true
  count:
    description: How many.
    default: '0'
  empty:
    description: Nothing by default.
    default: ''
outputs:
  ids:
    description: The ids, as JSON.
`

  it('writes the inputs table: name, required, default, description on one line with | escaped', () => {
    const rendered = renderReadme(readme, actionYml, operations)
    expect(rendered).toContain(
      [
        '<!-- inputs:start -->',
        '',
        '| input | required | default | description |',
        '| --- | --- | --- | --- |',
        '| `mode` | yes | – | Either a \\| b, folded over two lines; create-\\* and wait-\\*. |',
        '| `count` | no | `0` | How many. |',
        '| `empty` | no | (empty) | Nothing by default. |',
        '',
        '<!-- inputs:end -->'
      ].join('\n')
    )
  })

  it('writes the operations table from the registry, | escaped', () => {
    expect(renderReadme(readme, actionYml, operations)).toContain(
      '| operation | what it does | you give | you get |\n| --- | --- | --- | --- |\n| `frob` | Frobs a \\| b. | `server_id` | `count` |\n'
    )
  })

  it('writes the outputs table', () => {
    expect(renderReadme(readme, actionYml, operations)).toContain(
      '| output | description |\n| --- | --- |\n| `ids` | The ids, as JSON. |\n'
    )
  })

  it('keeps everything outside the markers and is stable when run again', () => {
    const rendered = renderReadme(readme, actionYml, operations)
    expect(rendered.startsWith('# Title\n<!-- inputs:start -->')).toBe(true)
    expect(rendered).toContain('<!-- inputs:end -->\nbetween\n<!-- outputs:start -->')
    expect(rendered).toContain('<!-- outputs:end -->\nafter\n<!-- operations:start -->')
    expect(rendered).not.toContain('old inputs')
    expect(renderReadme(rendered, actionYml, operations)).toBe(rendered)
  })

  it.each([
    ['no inputs markers', readme.replace('<!-- inputs:start -->', '')],
    ['no outputs end marker', readme.replace('<!-- outputs:end -->', '')],
    [
      'markers in the wrong order',
      '<!-- inputs:end -->\n<!-- inputs:start -->\n<!-- outputs:start -->\n<!-- outputs:end -->'
    ]
  ])('fails on a README with %s', (_case, broken) => {
    expect(() => renderReadme(broken, actionYml, operations)).toThrow(/markers/)
  })
})

interface Step {
  id?: string
  uses?: string
  with?: Record<string, unknown>
}

interface Job {
  needs?: string | string[]
  outputs?: Record<string, string>
  steps: Step[]
}

interface Workflow {
  on?: unknown
  jobs: Record<string, Job>
}

/** Every workflow shown in the documents. */
function readmeWorkflows(): Array<[string, Workflow]> {
  return workflowBlocks().map(({ name, content }) => [name, parse(content) as Workflow])
}

/** `${{ … }}` references of one kind, e.g. `steps.<id>.outputs.<name>`, in any text under `value`. */
function references(value: unknown, context: 'steps' | 'needs'): Array<{ source: string; output: string }> {
  const pattern = new RegExp(`\\b${context}\\.([\\w-]+)\\.outputs\\.([\\w-]+)`, 'g')
  return [...JSON.stringify(value).matchAll(pattern)].map(match => ({ source: match[1] ?? '', output: match[2] ?? '' }))
}

describe('the workflows of the documents', () => {
  const workflows = readmeWorkflows()

  it('are there: the quick start and every recipe', () => {
    expect(workflows.length).toBeGreaterThanOrEqual(6)
  })

  it('use actions that CI pins, so the check of their majors checks something', () => {
    expect(CI_MAJORS.get('actions/checkout'), 'ci.yml pins actions/checkout as <sha> # vX.Y.Z').toMatch(/^v\d+$/)
    const used = workflows.flatMap(([, workflow]) =>
      Object.values(workflow.jobs).flatMap(job => job.steps.map(step => step.uses ?? ''))
    )
    expect(used).toContain(`actions/checkout@${CI_MAJORS.get('actions/checkout') ?? ''}`)
  })

  describe.each(workflows)('%s', (_name, workflow) => {
    const jobs = Object.entries(workflow.jobs)

    it('has a trigger, pins the action as @v1 and the actions CI pins at their major', () => {
      expect(workflow.on).toBeDefined()
      for (const [, job] of jobs) {
        for (const step of job.steps) {
          if (step.uses?.includes('snapshot-action')) expect(step.uses).toBe(ACTION_REF)
          const action = step.uses?.split('@')[0] ?? ''
          const major = CI_MAJORS.get(action)
          if (major) expect(step.uses, `CI pins ${action} at ${major}`).toBe(`${action}@${major}`)
        }
      }
    })

    it('gives the action only its own inputs, an operation and the token from a secret', () => {
      for (const [, job] of jobs) {
        for (const step of job.steps.filter(candidate => candidate.uses === ACTION_REF)) {
          const inputs = step.with ?? {}
          expect(Object.keys(ACTION.inputs)).toEqual(expect.arrayContaining(Object.keys(inputs)))
          expect(OPERATIONS.map(entry => entry.operation)).toContain(inputs.operation)
          expect(inputs.api_token).toBe('${{ secrets.VPS_API_TOKEN }}')
        }
      }
    })

    it('reads step outputs that the step declares, from a step of the same job', () => {
      for (const [jobName, job] of jobs) {
        const steps = new Map(job.steps.filter(step => step.id).map(step => [step.id, step]))
        for (const { source, output } of references(job, 'steps')) {
          const step = steps.get(source)
          expect(step, `job ${jobName} reads steps.${source}, which it does not have`).toBeDefined()
          if (step?.uses === ACTION_REF) expect(Object.keys(ACTION.outputs), `job ${jobName}`).toContain(output)
        }
      }
    })

    it('reads job outputs that the job it needs declares', () => {
      for (const [jobName, job] of jobs) {
        const needs = [job.needs ?? []].flat()
        for (const { source, output } of references(job, 'needs')) {
          expect(needs, `job ${jobName} reads needs.${source} without needing it`).toContain(source)
          expect(
            Object.keys(workflow.jobs[source]?.outputs ?? {}),
            `job ${jobName} reads needs.${source}.outputs.${output}`
          ).toContain(output)
        }
      }
    })
  })
})

describe('workflows of this repository', () => {
  const workflows = readdirSync(WORKFLOWS_DIR).filter(file => /\.ya?ml$/.test(file))

  it.each(workflows)('%s pins every action by commit SHA, with its version as a comment', file => {
    const lines = usesLines(readFileSync(new URL(file, WORKFLOWS_DIR), 'utf8'))
    for (const { action, ref, comment } of lines) {
      expect(ref, `${file}: ${action}@${ref}`).toMatch(/^[0-9a-f]{40}$/)
      expect(comment, `${file}: ${action}@${ref} needs a # vX.Y.Z comment`).toMatch(/^v\d+\.\d+\.\d+$/)
    }
  })

  it.each(['ci.yml', 'release.yml'])('%s runs the checks through .ci/run, repeating none of its steps', file => {
    const workflow = parse(readFileSync(new URL(file, WORKFLOWS_DIR), 'utf8')) as {
      jobs: Record<string, { steps: Array<{ run?: string }> }>
    }
    const runs = Object.values(workflow.jobs).flatMap(job =>
      job.steps.flatMap(step => (step.run ? [step.run.trim()] : []))
    )
    expect(runs).toContain('bash .ci/run')
    expect(runs.filter(run => /\bnpm (ci|test|run (build|typecheck|demo))\b/.test(run))).toEqual([])
  })

  it('pin each action at one version', () => {
    const versions = new Map<string, Set<string>>()
    for (const file of workflows) {
      for (const { action, ref, comment } of usesLines(readFileSync(new URL(file, WORKFLOWS_DIR), 'utf8'))) {
        versions.set(action, (versions.get(action) ?? new Set()).add(`${ref} # ${comment}`))
      }
    }
    const mixed = [...versions]
      .filter(([, pins]) => pins.size > 1)
      .map(([action, pins]) => `${action}: ${[...pins].join(', ')}`)
    expect(mixed).toEqual([])
  })
})

describe('the documents', () => {
  /** A document's text with its fenced code blocks blanked out, line for line. */
  function prose(document: string): string {
    return read(document).replace(/```[\s\S]*?```/g, block => block.replace(/[^\n]/g, ' '))
  }

  /** Markdown links `[text](target)` that point into the repository, with the line they are on. */
  function localLinks(document: string): Array<{ target: string; line: number }> {
    const text = prose(document)
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map(match => ({ target: match[1] ?? '', line: text.slice(0, match.index).split('\n').length }))
      .filter(({ target }) => !/^[a-z]+:/.test(target))
  }

  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
  function anchorOf(heading: string): string {
    return heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-')
  }

  function anchors(document: string): Set<string> {
    return new Set([...prose(document).matchAll(/^#{1,6} (.*)$/gm)].map(match => anchorOf(match[1] ?? '')))
  }

  /**
   * Sections named in words rather than linked, `(README, "Quick start")` or `(docs/recipes.md,
   * "Wait later")`, with the line they are on; code blocks included, where a workflow's comment
   * may point at a section. The name is a document's path, or its name without `.md`.
   */
  function sectionReferences(document: string): Array<{ file: string; heading: string; line: number }> {
    const text = read(document)
    return [...text.matchAll(/\(((?:[\w-]+\/)*(?:[\w-]+\.md|[A-Z]+)),\s+"([^"]+)"\)/g)].map(match => {
      const name = (match[1] ?? '').replace(/(\.md)?$/, '.md')
      const besideIt = join(dirname(document), name)
      return {
        file: existsSync(new URL(`../${besideIt}`, import.meta.url)) ? besideIt : name,
        heading: (match[2] ?? '').replace(/\s+/g, ' '),
        line: text.slice(0, match.index).split('\n').length
      }
    })
  }

  it('are each linked from the README, or from a document it links to', () => {
    const linked = new Set(['README.md'])
    for (let grew = true; grew;) {
      grew = false
      for (const document of [...linked]) {
        for (const { target } of localLinks(document)) {
          const file = new URL(
            target.split('#')[0] || document,
            new URL(`../${document}`, import.meta.url)
          ).pathname.slice(new URL('../', import.meta.url).pathname.length)
          if (file.endsWith('.md') && !linked.has(file)) {
            linked.add(file)
            grew = true
          }
        }
      }
    }
    expect([...linked].sort()).toEqual(expect.arrayContaining(documents().sort()))
  })

  it.each(documents())('%s links only to files and headings that exist', document => {
    for (const { target, line } of localLinks(document)) {
      const [path = '', anchor] = target.split('#')
      const file = new URL(path || document, new URL(`../${document}`, import.meta.url))
      expect(existsSync(file), `${document}:${line} links to ${target}, which does not exist`).toBe(true)
      if (anchor) {
        const relative = file.pathname.slice(new URL('../', import.meta.url).pathname.length)
        expect(
          [...anchors(relative)],
          `${document}:${line} links to ${target}, a heading that does not exist`
        ).toContain(anchor)
      }
    }
  })

  it('include the changelog, whose entries point at sections that move', () => {
    expect(documents()).toContain('CHANGELOG.md')
  })

  it.each(documents())('%s names in words only sections that exist', document => {
    for (const { file, heading, line } of sectionReferences(document)) {
      expect(
        existsSync(new URL(`../${file}`, import.meta.url)),
        `${document}:${line} names ${file}, which does not exist`
      ).toBe(true)
      expect(
        [...anchors(file)],
        `${document}:${line} names the section "${heading}" of ${file}, which it does not have`
      ).toContain(anchorOf(heading))
    }
  })

  it('README.md is a five-minute read: at most 300 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(300)
  })
})

describe('the variables and secrets of the documents’ workflows', () => {
  /** The `vars.NAME` and `secrets.NAME` that a document's ```yaml blocks use; `GITHUB_TOKEN` is every job's own. */
  function usedIn(document: string): string[] {
    const yaml = [...read(document).matchAll(/```yaml\n([\s\S]*?)```/g)].map(match => match[1] ?? '').join('\n')
    const names = [...yaml.matchAll(/\b(?:vars|secrets)\.([A-Za-z_]\w*)/g)].map(match => match[1] ?? '')
    return [...new Set(names)].filter(name => name !== 'GITHUB_TOKEN').sort()
  }

  const using = documents()
    .map(document => [document, usedIn(document)] as const)
    .filter(([, names]) => names.length > 0)

  it('are found in the README and the recipes, so the check below checks something', () => {
    expect(using.map(([document]) => document)).toEqual(expect.arrayContaining(['README.md', 'docs/recipes.md']))
  })

  it.each(using)('%s asks for each one it uses, by name, outside its code blocks', (document, names) => {
    // A reader creates what the prose asks for; a name seen only inside a workflow is easy to miss.
    const prose = read(document).replace(/```[\s\S]*?```/g, '')
    const unasked = names.filter(name => !new RegExp(`\\b${name}\\b`).test(prose))
    expect(unasked, `${document}'s workflows use these variables or secrets without its text asking for them`).toEqual(
      []
    )
  })
})

describe('what the documents say of a post step with nothing armed', () => {
  /** The sentences of every document's prose, each on one line. */
  function sentences(): Array<{ document: string; sentence: string }> {
    return documents().flatMap(document =>
      read(document)
        .replace(/```[\s\S]*?```/g, '')
        .split(/\n\s*\n|\n(?=\s*(?:[-*]|\d+\.) )/)
        .flatMap(paragraph => paragraph.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z`*[(])/))
        .map(sentence => ({ document, sentence }))
    )
  }

  const about = sentences().filter(
    ({ sentence }) =>
      /post step/i.test(sentence) && /nothing (?:was )?armed|armed nothing/i.test(sentence) && /\bprint/i.test(sentence)
  )

  it('is found, so the check below checks something', () => {
    expect(about.length).toBeGreaterThanOrEqual(2)
  })

  it('is that it prints nothing (test/e2e/rollback.test.ts: "of a step that armed nothing prints nothing at all")', () => {
    const otherwise = about.filter(({ sentence }) => !/prints nothing/i.test(sentence))
    expect(otherwise.map(({ document, sentence }) => `${document}: ${sentence}`)).toEqual([])
  })
})
