// What keeps the action's start-up short, checked against the installed dependencies and the
// committed bundle, so that a dependency update that undoes it fails here, saying what changed:
// - the stand-in for @actions/http-client (stand-ins/actions-http-client) exports every name
//   that the bundled toolkit imports from it, and only the OIDC client imports it;
// - the undici modules that src/api/undici.ts imports by path are the very objects undici's
//   index exports;
// - the bundle (what the build of dist/ put in each file) holds none of what the action never
//   uses, and the file both steps start from holds no dependency at all;
// - undici's Milo parser, kept out of the bundle, is never selected, even by UNDICI_USE_MILO.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as undici from 'undici'
import { describe, expect, it } from 'vitest'
import { Agent, request, retryInterceptor } from '../src/api/undici.ts'
import { DEFAULT_TOKEN, startEmulator } from './emulator/server.ts'
import { ROOT, runStep } from './support/bundle.ts'
import { buildOfDist } from './support/build.ts'

const STAND_IN = join(ROOT, 'stand-ins', 'actions-http-client')
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/** What the build of dist/ put in each emitted file (and left to run-time requires), by module. */
function bundleModules(): Map<string, string[]> {
  const files = new Map<string, string[]>()
  let current: string[] = []
  for (const line of buildOfDist().modules.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    if (line.startsWith('  ')) current.push(line.trim())
    else files.set(line, (current = []))
  }
  return files
}

const RUN_TIME_REQUIRES = 'required at run time, not bundled'
const bundled = () =>
  [...bundleModules()].filter(([file]) => file !== RUN_TIME_REQUIRES).flatMap(([, modules]) => modules)
/** The file of the run context, which only a create loads (src/registry.ts): itself and @actions/github's Context. */
const ofTheRunContext = (modules: string[]) => modules.includes('src/run-context.ts')
/** What any step may load: every emitted file but the run context's. */
const everyStepLoads = () =>
  [...bundleModules()]
    .filter(([file, modules]) => file !== RUN_TIME_REQUIRES && !ofTheRunContext(modules))
    .flatMap(([, modules]) => modules)
/** The one module of @actions/github that the action uses: its run context, without the index's Octokit. */
const GITHUB_CONTEXT = 'node_modules/@actions/github/lib/context.js'

/** Every `import … from '<specifier>'` of a module's source: the names it takes, and from where. */
function importsOf(source: string, specifier: RegExp): { from: string; names: string[] }[] {
  const found: { from: string; names: string[] }[] = []
  for (const match of source.matchAll(/\bimport\s+([^'";]*?)\s+from\s+['"]([^'"]+)['"]/g)) {
    const [, clause = '', from = ''] = match
    if (!specifier.test(from)) continue
    const namespace = /\*\s+as\s+(\w+)/.exec(clause)?.[1]
    const named = /\{([^}]*)\}/.exec(clause)?.[1]
    const names = named
      ? named
          .split(',')
          .map(part => part.trim().split(/\s+as\s+/)[0] ?? '')
          .filter(Boolean)
      : []
    // A namespace import: the names are the members the module reads from it.
    if (namespace)
      names.push(...[...source.matchAll(new RegExp(`\\b${namespace}\\.(\\w+)`, 'g'))].map(member => member[1] ?? ''))
    if (/^\s*\w+\s*(,|$)/.test(clause)) names.push('default')
    found.push({ from, names: [...new Set(names)] })
  }
  return found
}

describe('the stand-in for @actions/http-client', () => {
  // Derived from what is installed and bundled, not from a list kept by hand: the toolkit's core,
  // which every step loads. (@actions/github keeps the real client for its Octokit, which the
  // bundle leaves out: only its Context is bundled.)
  const importers = bundled()
    .filter(path => path.startsWith('node_modules/@actions/core/'))
    .map(path => ({ path, imports: importsOf(read(path), /^@actions\/http-client(\/|$)/) }))
    .filter(({ imports }) => imports.length > 0)

  it('is what @actions/core resolves @actions/http-client to', () => {
    const fromCore = createRequire(join(ROOT, 'node_modules/@actions/core/lib/core.js'))
    expect(fromCore.resolve('@actions/http-client')).toBe(join(STAND_IN, 'index.js'))
    expect(fromCore.resolve('@actions/http-client/lib/auth')).toBe(join(STAND_IN, 'auth.js'))
  })

  it('stands in only for the OIDC client, the one bundled module that imports @actions/http-client', () => {
    expect(
      importers.map(({ path }) => path),
      'a bundled module now imports @actions/http-client: check whether the action reaches that use, and extend the stand-in or drop it'
    ).toEqual(['node_modules/@actions/core/lib/oidc-utils.js'])
    // And core reaches its OIDC client only from getIDToken, which the action never calls.
    const core = read('node_modules/@actions/core/lib/core.js')
    const getIDToken = /export function getIDToken\b[\s\S]*?\n}\n/.exec(core)?.[0] ?? ''
    const uses = [...core.matchAll(/\bOidcClient\b/g)].length
    expect(uses - [...getIDToken.matchAll(/\bOidcClient\b/g)].length, 'OidcClient is used outside getIDToken').toBe(1) // the import itself
  })

  it('exports every name the bundled toolkit imports from it, each throwing a clear error', async () => {
    expect(importers.length).toBeGreaterThan(0)
    for (const { path, imports } of importers) {
      for (const { from, names } of imports) {
        const file = createRequire(join(ROOT, path)).resolve(from)
        expect(
          relative(STAND_IN, file).startsWith('..'),
          `${path} imports ${from} from ${file}, not the stand-in`
        ).toBe(false)
        const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
        for (const name of names) {
          expect(Object.keys(module), `${path} imports ${name} from ${from}`).toContain(name)
          const value = module[name] as new () => unknown
          expect(() => new value()).toThrow(/stand-in for @actions\/http-client/)
        }
      }
    }
  })

  it('is not in the bundle at all: nothing bundled reaches it', () => {
    expect(bundled().filter(path => path.includes('stand-ins/'))).toEqual([])
    expect(everyStepLoads().filter(path => path.includes('@actions/http-client'))).toEqual([])
  })
})

describe("undici's modules, imported by path (src/api/undici.ts)", () => {
  /** Each module src/ may import by path, and what undici's index exports it as. */
  const FROM_INDEX: Record<string, (index: typeof undici) => unknown> = {
    'undici/lib/dispatcher/agent.js': index => index.Agent,
    'undici/lib/interceptor/retry.js': index => index.interceptors.retry,
    // The index puts each API function on every dispatcher: Object.assign(Dispatcher.prototype, api).
    // It is compared as an object, never called apart from a dispatcher.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    'undici/lib/api/api-request.js': index => index.Dispatcher.prototype.request
  }
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter(path => path.endsWith('.ts') && !path.endsWith('.d.ts'))
    .map(path => ({ path: `src/${path}`, source: read(`src/${path}`) }))

  it('each is the very object the index exports', async () => {
    for (const [path, fromIndex] of Object.entries(FROM_INDEX)) {
      const module = (await import(path)) as { default: unknown }
      expect(module.default, `${path} is not what undici's index exports`).toBe(fromIndex(undici))
    }
  })

  it('src/ imports no other undici module by path, and from the index only types', () => {
    for (const { path, source } of sources) {
      for (const { from } of importsOf(source, /^undici\//))
        expect(Object.keys(FROM_INDEX), `${path} imports ${from}`).toContain(from)
      for (const statement of source.match(/^import\s[^'"]*from\s+'undici'/gm) ?? []) {
        expect(statement, `${path}: only \`import type\` from 'undici', or the index is bundled`).toMatch(
          /^import type\b/
        )
      }
      expect(source, `${path} imports @actions/http-client`).not.toMatch(/from\s+'@actions\/http-client/)
      if (path !== 'src/run-context.ts')
        expect(source, `${path} imports @actions/github, which only the run context may`).not.toMatch(
          /from\s+'[^']*@actions\/github/
        )
    }
  })

  it("gives undici's Agent, and a request that works without the index's methods", async () => {
    expect(Object.getPrototypeOf(Agent)).toBe(undici.Agent)
    expect(retryInterceptor).toBe(undici.interceptors.retry)
    const mock = new undici.MockAgent()
    mock.disableNetConnect()
    mock.get('https://api.test').intercept({ path: '/ping' }).reply(200, 'pong')
    try {
      const dispatcher = mock.compose(retryInterceptor({ maxRetries: 0 }))
      const response = await request(dispatcher, { origin: 'https://api.test', path: '/ping', method: 'GET' })
      expect([response.statusCode, await response.body.text()]).toEqual([200, 'pong'])
    } finally {
      await mock.close()
    }
  })
})

describe('the bundle, as built', () => {
  it('holds none of what the action never uses, in any file', () => {
    const unused = [
      /^node_modules\/undici\/index\.js$/, // the index: all of the below
      /^node_modules\/undici\/lib\/web\/fetch\/index\.js$/, // fetch itself
      /^node_modules\/undici\/lib\/web\/(websocket|eventsource|cache|cookies)\//,
      /^node_modules\/undici\/lib\/(cache|mock|milo)\//, // HTTP caches (node:sqlite), mock agents, Milo
      /^node_modules\/undici\/lib\/interceptor\/(?!retry\.js$)/,
      /^node_modules\/undici\/lib\/dispatcher\/(h2c-client|proxy-agent|env-http-proxy-agent|socks5-proxy-agent|balanced-pool|round-robin-pool)\.js$/,
      /^node_modules\/(tunnel|@actions\/http-client|@octokit\/[^/]+)\//,
      /^node_modules\/@actions\/github\/(?!lib\/context\.js$)/ // its index and Octokit: only the run context is used
    ]
    const all = bundled()
    expect(all.length).toBeGreaterThan(20)
    expect(all.filter(path => unused.some(pattern => pattern.test(path)))).toEqual([])
  })

  it('loads no dependency in the file both steps start from, where a post step with nothing armed ends', () => {
    const entry = bundleModules().get('index.js') ?? []
    expect(entry).toContain('src/index.ts')
    expect(entry.filter(path => !path.startsWith('src/'))).toEqual([])
  })

  it('loads @actions/github only with the run context, which only the creates load', () => {
    // The run context is the one module of src/ that imports @actions/github (checked above), and registry.ts loads it
    // lazily.
    const importers = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter(file => file.endsWith('.ts'))
      .filter(file =>
        /^import (?!type\b)[^;\n]*from '(\.\.?\/)*run-context\.ts'|import\('\.\/run-context\.ts'\)/m.test(
          read(join('src', file))
        )
      )
    expect(importers).toEqual(['registry.ts'])
    expect(read('src/registry.ts')).toMatch(/await import\('\.\/run-context\.ts'\)/)
    // Its file holds the run context and @actions/github's Context, nothing else.
    const files = [...bundleModules()].filter(([, modules]) => ofTheRunContext(modules))
    expect(files.map(([, modules]) => modules)).toEqual([[GITHUB_CONTEXT, 'src/run-context.ts']])
    expect(everyStepLoads().filter(path => path.startsWith('node_modules/@actions/github/'))).toEqual([])
  })

  it("takes @actions/github's Context from the very module whose instance the package's index exports", async () => {
    // src/run-context.ts imports it by file path, past the package's `exports`: an update that
    // moves or renames the module, or builds the index's context another way, fails here.
    expect(read('src/run-context.ts')).toMatch(
      /^import \{ Context \} from '\.\.\/node_modules\/@actions\/github\/lib\/context\.js'$/m
    )
    const { Context } = (await import(pathToFileURL(join(ROOT, GITHUB_CONTEXT)).href)) as { Context: new () => object }
    const { context } = await import('@actions/github')
    expect(context).toBeInstanceOf(Context)
    expect(Object.getPrototypeOf(context)).toBe(Context.prototype)
  })
})

describe("undici's Milo parser", () => {
  it('is kept out of the bundle, as a require that is never reached', () => {
    expect(bundleModules().get(RUN_TIME_REQUIRES)).toEqual(
      expect.arrayContaining(['../milo/simd.js', '../milo/no-simd.js'])
    )
    expect(bundled().filter(path => path.includes('/milo/'))).toEqual([])
  })

  it('is not selected by UNDICI_USE_MILO=1: answers are still parsed with llhttp', async () => {
    const emulator = await startEmulator()
    try {
      const result = await runStep(
        { operation: 'list-snapshots', server_id: '12345', api_url: emulator.url, api_token: DEFAULT_TOKEN },
        { env: { UNDICI_USE_MILO: '1' } }
      )
      expect(result.stderr).toBe('')
      expect(result.exitCode).toBe(0)
      expect(JSON.parse(result.outputs.items ?? 'null')).toEqual([])
    } finally {
      await emulator.close()
    }
  })
})

it('depends on no package the bundle does not use', () => {
  const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
  expect(Object.keys(dependencies).sort()).toEqual([
    '@actions/core',
    '@actions/github',
    '@actions/http-client',
    'undici'
  ])
})
