// action.yml as the Marketplace's release form reads it: it refuses to publish an action without
// a name, a description, an author and branding, or whose description is 125 characters or
// more. (@actions/workflow-parser, in test/validators.test.ts, checks the branding's icon and
// colour against the allowed ones.)
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ACTION_YML = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
/** The release form refuses a description of this many characters or more. */
const DESCRIPTION_REFUSED_AT = 125

interface Metadata {
  name?: unknown
  description?: unknown
  author?: unknown
  branding?: { icon?: unknown; color?: unknown }
}

/** What the release form would refuse in an action.yml. */
function marketplaceProblems(actionYml: string): string[] {
  const metadata = parse(actionYml) as Metadata
  const problems: string[] = []
  for (const key of ['name', 'description', 'author'] as const) {
    const value = metadata[key]
    if (typeof value !== 'string' || value.trim() === '') problems.push(`no ${key}`)
  }
  const { description } = metadata
  if (typeof description === 'string' && description.length >= DESCRIPTION_REFUSED_AT) {
    problems.push(
      `the description has ${description.length} characters; the Marketplace takes at most ${DESCRIPTION_REFUSED_AT - 1}`
    )
  }
  if (typeof metadata.branding?.icon !== 'string' || typeof metadata.branding.color !== 'string')
    problems.push('no branding icon and color')
  return problems
}

/** action.yml with its description replaced by `description`, on one line. */
function withDescription(description: string): string {
  const replaced = ACTION_YML.replace(/^description: >-\n(?: {2}.*\n)+/m, `description: ${description}\n`)
  expect(replaced, 'action.yml no longer starts its description with `description: >-`').not.toBe(ACTION_YML)
  return replaced
}

describe('action.yml, for the Marketplace', () => {
  it('has everything the release form asks for, and a description it takes', () => {
    expect(marketplaceProblems(ACTION_YML)).toEqual([])
  })

  it(`refuses a description of ${DESCRIPTION_REFUSED_AT} characters or more`, () => {
    expect(marketplaceProblems(withDescription('x'.repeat(DESCRIPTION_REFUSED_AT - 1)))).toEqual([])
    expect(marketplaceProblems(withDescription('x'.repeat(DESCRIPTION_REFUSED_AT)))).toEqual([
      `the description has ${DESCRIPTION_REFUSED_AT} characters; the Marketplace takes at most ${DESCRIPTION_REFUSED_AT - 1}`
    ])
  })

  it('refuses an action.yml without a description or branding', () => {
    const bare = ACTION_YML.replace(/^description: >-\n(?: {2}.*\n)+/m, '').replace(/^branding:\n(?: {2}.*\n)+/m, '')
    expect(marketplaceProblems(bare)).toEqual(['no description', 'no branding icon and color'])
  })
})
