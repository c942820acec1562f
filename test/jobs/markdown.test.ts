// Reading the recipes from the docs: a heading's section, its one workflow, and the setup the
// quick start asks for, which every workflow of the README must be content with.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/bundle.ts'
import { allWorkflows, repositorySetup, section, workflowUnder } from './markdown.ts'

const README = join(ROOT, 'README.md')
const RECIPES = join(ROOT, 'docs', 'recipes.md')

const TEXT = [
  '# Title',
  '## Recipes',
  'intro',
  '### Rollback from `needs` outputs',
  '```sh',
  '# not a heading',
  '```',
  'body',
  '#### Deeper',
  'still inside',
  '### Next',
  'outside',
  '## Other'
].join('\n')

describe('section', () => {
  it('finds a heading as a reader sees it, code marks or not, and runs to the next heading of its level', () => {
    const found = section(TEXT, 'Rollback from needs outputs')
    expect(found).toMatchObject({ heading: 'Rollback from needs outputs', level: 3, line: 4 })
    expect(found.body).toBe(['```sh', '# not a heading', '```', 'body', '#### Deeper', 'still inside'].join('\n'))
    expect(section(TEXT, 'Rollback from `needs` outputs').body).toBe(found.body)
    expect(section(TEXT, 'Recipes').body).toContain('outside')
    expect(section(TEXT, 'Recipes').body).not.toContain('Other')
  })

  it('refuses a heading that is missing, naming the ones there are, or one that is there twice', () => {
    expect(() => section(TEXT, 'not a heading')).toThrow(
      /no heading "not a heading"; its headings:\n {2}# Title\n {2}## Recipes/
    )
    expect(() => section(`${TEXT}\n### Next`, 'Next')).toThrow(/has 2 heading "Next"/)
  })
})

describe('the README and docs/recipes.md', () => {
  it('have one workflow under each recipe heading, and refuse a heading with only a fragment', () => {
    expect(workflowUnder(README, 'Quick start')).toMatch(/^name: Deploy\n/)
    expect(workflowUnder(RECIPES, 'Manual restore of `latest`')).toMatch(/^name: Restore server\n/)
    expect(() => workflowUnder(RECIPES, 'One server, one job at a time')).toThrow(/expected one yaml workflow, found 0/)
  })

  it('asks in its quick start for the secret and the variables its workflows read', () => {
    expect(repositorySetup(README, 'Quick start')).toEqual({
      secrets: ['VPS_API_TOKEN'],
      vars: ['VPS_SERVER_ID', 'APP_URL']
    })
  })

  // A variable no setup step asks for is empty on a fresh repository: `${{ vars.APP_URL }}/healthz`
  // was "/healthz", and the smoke test failed over a good deploy.
  it('reads in its workflows no secret or variable that the quick start does not ask for', () => {
    const setup = repositorySetup(README, 'Quick start')
    const workflows = [...allWorkflows(README), ...allWorkflows(RECIPES)]
    expect(workflows.length).toBeGreaterThanOrEqual(6)
    for (const workflow of workflows) {
      const read = (context: string) =>
        [...workflow.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, 'g'))].map(match => match[1])
      expect(setup.secrets, workflow.split('\n')[0]).toEqual(expect.arrayContaining(read('secrets')))
      expect(setup.vars, workflow.split('\n')[0]).toEqual(expect.arrayContaining(read('vars')))
    }
  })
})
