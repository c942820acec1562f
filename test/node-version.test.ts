// One Node version, said once, in .node-version: what the action runs on (action.yml), what
// `npm ci` accepts (package.json engines, enforced by .npmrc's engine-strict), what
// actions/setup-node installs in every workflow and what .ci/run uses all follow from it.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')
const WORKFLOWS_DIR = '.github/workflows/'

const NODE_VERSION = read('.node-version').trim()
const MAJOR = /^v?(\d+)(?:\.\d+){0,2}$/.exec(NODE_VERSION)?.[1]

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

function setupNodeSteps(): Array<[string, Step]> {
  return readdirSync(new URL(WORKFLOWS_DIR, ROOT))
    .filter(file => /\.ya?ml$/.test(file))
    .flatMap(file => {
      const workflow = parse(read(`${WORKFLOWS_DIR}${file}`)) as { jobs?: Record<string, { steps?: Step[] }> }
      return Object.values(workflow.jobs ?? {})
        .flatMap(job => job.steps ?? [])
        .filter(step => step.uses?.startsWith('actions/setup-node@'))
        .map(step => [file, step] as [string, Step])
    })
}

describe('.node-version', () => {
  it('is a Node version: a major, or major.minor.patch', () => {
    expect(MAJOR, `.node-version holds '${NODE_VERSION}'`).toBeDefined()
  })

  it('is the runtime of action.yml', () => {
    const action = parse(read('action.yml')) as { runs: { using: string } }
    expect(action.runs.using).toBe(`node${MAJOR}`)
  })

  it('is the Node `npm ci` requires, and npm refuses any other', () => {
    const manifest = JSON.parse(read('package.json')) as { engines?: { node?: string } }
    expect(manifest.engines?.node).toBe(`>=${MAJOR}`)
    expect(
      read('.npmrc')
        .split('\n')
        .map(line => line.trim())
    ).toContain('engine-strict=true')
  })

  it('is what every actions/setup-node step of the workflows installs', () => {
    const steps = setupNodeSteps()
    expect(steps.map(([file]) => file)).toContain('ci.yml')
    for (const [file, step] of steps) {
      expect(step.with?.['node-version-file'], file).toBe('.node-version')
      expect(step.with?.['node-version'], `${file} names a Node version of its own`).toBeUndefined()
    }
  })

  it('is what .ci/run uses, naming no version of its own', () => {
    const run = read('.ci/run')
    expect(run).toContain('.node-version')
    expect(run).not.toMatch(new RegExp(`node@${MAJOR}\\b|\\bv${MAJOR}\\.|vps-action-node${MAJOR}\\b`))
  })
})
