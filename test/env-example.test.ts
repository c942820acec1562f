// .env.example is generated from action.yml (scripts/env-example.ts, through `npm run docs`):
// every input, in action.yml's order, with its default or the local run's value.
import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { LOCAL_RUN_INPUTS, renderEnvExample } from '../scripts/env-example.ts'

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')
const ACTION_YML = read('action.yml')
const INPUTS = (parse(ACTION_YML) as { inputs: Record<string, { default?: string | number | boolean } | null> }).inputs

describe('.env.example', () => {
  it('is what `npm run docs` writes from action.yml', () => {
    expect(read('.env.example'), '.env.example is out of date with action.yml: run `npm run docs`').toBe(
      renderEnvExample(ACTION_YML)
    )
  })

  it("sets every input of action.yml, in its order, to its default or the local run's value", () => {
    const rendered = renderEnvExample(ACTION_YML)
    const env = parseEnv(rendered) // as a dotenv reader sees the values; its keys come sorted
    const names = rendered.split('\n').flatMap(line => /^(INPUT_\w+)=/.exec(line)?.[1] ?? [])
    const inputs = names.map(name => [name, env[name]])
    const expected = Object.entries(INPUTS).map(([name, input]) => [
      `INPUT_${name.toUpperCase()}`,
      LOCAL_RUN_INPUTS[name]?.value ?? (input?.default === undefined ? '' : String(input.default))
    ])
    expect(inputs).toEqual(expected)
    expect(
      Object.keys(LOCAL_RUN_INPUTS).filter(name => !(name in INPUTS)),
      'local values of inputs action.yml does not have'
    ).toEqual([])
  })

  it('says why each local value is not the default, naming the default', () => {
    const rendered = renderEnvExample(ACTION_YML)
    expect(rendered).toContain(
      "# Where `npm run emulator` listens; action.yml's default is https://admin.vps.org/api/v1.\nINPUT_API_URL=http://127.0.0.1:18731/api/v1\n"
    )
  })

  it('keeps the run context a create names its items from', () => {
    const env = parseEnv(renderEnvExample(ACTION_YML))
    for (const name of ['GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_WORKFLOW', 'GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT'])
      expect(env[name], name).toBeTruthy()
  })

  it('points at the port `npm run emulator` listens on', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts
    const port = /--port (\d+)/.exec(scripts.emulator ?? '')?.[1]
    expect(port, 'package.json: the emulator script needs --port').toBeDefined()
    expect(new URL(LOCAL_RUN_INPUTS.api_url?.value ?? '').port).toBe(port)
  })

  it('refuses a default that dotenv would read otherwise than written', () => {
    const withHash = 'inputs:\n  label:\n    default: "a # b"\n'
    expect(() => renderEnvExample(withHash)).toThrow(/label.*cannot be written unquoted/)
  })
})
