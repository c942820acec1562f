// What a hostile or misconfigured API must not get out of the action: the token (through a URL,
// a redirect, a `next` link or the log), or a workflow command started from its own text.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../emulator/server.ts'
import { runStep, type StepOptions, type StepResult } from '../support/bundle.ts'
import {
  POLL_INTERVAL,
  TOKEN,
  WEB,
  expectFailure,
  expectNoLeak,
  expectSuccess,
  start,
  step,
  writes
} from '../support/steps.ts'

/** Debug logging on, as a user would turn it on to chase a failure. */
const DEBUG_ENV = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

/** A loopback HTTP server that records what reaches it and answers every request with `body`. */
async function startRecorder(body: (origin: string) => unknown = () => ({ count: 0, results: [] })): Promise<{
  origin: string
  received: ReceivedRequest[]
  close: () => Promise<void>
}> {
  const received: ReceivedRequest[] = []
  let origin = ''
  const server = createServer((request, response) => {
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers })
    request.resume()
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body(origin)))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { origin, received, close }
}

/** `step` for an API that is not an emulator: a recorder, or nothing at all. */
async function stepAt(apiUrl: string, inputs: Record<string, string>, options: StepOptions = {}): Promise<StepResult> {
  const result = await runStep({ api_token: TOKEN, api_url: apiUrl, poll_interval: POLL_INTERVAL, ...inputs }, options)
  expectNoLeak(result, inputs.api_token ?? TOKEN)
  return result
}

/** The step's log, both streams: the runner reads workflow commands from either. */
function logLines(result: StepResult): string[] {
  return `${result.stdout}\n${result.stderr}`.split(/\r?\n/)
}

/** Every hostile text below carries it, so a command forged from one is recognisable. */
const MARK = 'pwned'

/**
 * Lines the runner would take as a workflow command, other than the action's own: the masks of
 * the token, debug lines, the one error line that opens with the operation's name, log groups,
 * and the action's notices and warnings, none of which starts with (or holds) API text.
 */
function foreignCommands(result: StepResult, operation: string): string[] {
  const masks = [TOKEN, Buffer.from(TOKEN).toString('base64')].map(secret => `::add-mask::${secret}`)
  const own = (line: string): boolean =>
    masks.includes(line) ||
    line.startsWith('::debug::') ||
    line.startsWith(`::error::${operation} failed`) ||
    line === '::endgroup::' ||
    (/^::(group|notice|warning)::/.test(line) && !line.includes(MARK))
  return logLines(result).filter(line => line.startsWith('::') && !own(line))
}

/** Nothing that could carry the credentials: no header dump, no scheme. */
function expectNoHeaders(result: StepResult): void {
  const lines = logLines(result).filter(line => /authorization|bearer/i.test(line))
  expect(lines, 'a log line shows a request header').toEqual([])
}

describe.concurrent('a redirect to another origin', () => {
  it.each<[string, string, (emulator: Emulator) => Record<string, string>]>([
    ['list-snapshots (GET)', 'GET /snapshots/', () => ({ operation: 'list-snapshots', server_id: String(WEB) })],
    ['create-backup (POST)', 'POST /backups/', () => ({ operation: 'create-backup', server_id: String(WEB) })]
  ])('%s: refused, naming the Location; the other origin receives nothing', async (_case, route, inputs) => {
    const [emulator, elsewhere] = await Promise.all([start(), startRecorder()])
    try {
      const location = `${elsewhere.origin}/api/v1/collect/`
      emulator.inject(route, { kind: 'redirect', location })
      const operationInputs = inputs(emulator)
      const result = await step(emulator, operationInputs, { env: DEBUG_ENV })
      expectFailure(result, operationInputs.operation ?? '', 'HTTP 307', location)
      expect(elsewhere.received).toEqual([])
      expectNoHeaders(result)
    } finally {
      await Promise.all([emulator.close(), elsewhere.close()])
    }
  })

  it('a `next` page link to another origin is refused, naming that origin; it receives nothing', async () => {
    const elsewhere = await startRecorder()
    // An API whose first page points the client at another host for the rest of the list.
    const api = await startRecorder(() => ({
      count: 10,
      results: [],
      next: `${elsewhere.origin}/api/v1/snapshots/?page=2`
    }))
    try {
      const result = await stepAt(`${api.origin}/api/v1`, { operation: 'list-snapshots' })
      expectFailure(result, 'list-snapshots', elsewhere.origin)
      expect(api.received).toHaveLength(1)
      expect(api.received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(elsewhere.received).toEqual([])
    } finally {
      await Promise.all([api.close(), elsewhere.close()])
    }
  })
})

describe.concurrent('the token in the log, with debug logging on', () => {
  const SECRET = 'vps_live_Zq8nR2kT5xW'

  it.each<[string, (emulator: Emulator) => Record<string, string>]>([
    [
      'a create that retries its status checks and adopts a lost answer',
      emulator => {
        emulator.inject('POST /snapshots/', { kind: 'reset-after' })
        emulator.inject(
          'GET /snapshots/',
          { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
          { kind: 'reset-before' }
        )
        return { operation: 'create-snapshot', server_id: String(WEB), keep: '1', rollback_on_failure: 'true' }
      }
    ],
    [
      'a restore whose answer is lost',
      emulator => {
        emulator.inject('POST /servers/{id}/restore/', { kind: 'reset-after' })
        return {
          operation: 'restore-backup',
          server_id: String(WEB),
          backup_id: String(emulator.addBackup({ serverId: WEB }).id)
        }
      }
    ]
  ])('%s: only in ::add-mask:: lines, never a header', async (_case, setUp) => {
    const emulator = await start({ token: SECRET })
    try {
      const result = await step(emulator, { ...setUp(emulator), api_token: SECRET }, { env: DEBUG_ENV })
      // The debug lines are there, so they were looked at too.
      expect(result.stdout).toMatch(/^::debug::/m)
      expect(logLines(result).filter(line => line.includes(SECRET))).toEqual([`::add-mask::${SECRET}`])
      expectNoLeak(result, SECRET)
      expectNoHeaders(result)
      for (const written of [result.summary, JSON.stringify(result.outputs), JSON.stringify(result.state)]) {
        expect(written).not.toContain(SECRET)
        expect(written).not.toContain(Buffer.from(SECRET).toString('base64'))
      }
      expect(emulator.requests.every(request => request.authorization === `Bearer ${SECRET}`)).toBe(true)
    } finally {
      await emulator.close()
    }
  })

  it('a token the API refuses: fails after one request, the token shown nowhere', async () => {
    const emulator = await start({ token: SECRET })
    try {
      const wrong = `${SECRET}-revoked`
      const result = await step(emulator, { operation: 'list-snapshots', api_token: wrong }, { env: DEBUG_ENV })
      expectFailure(result, 'HTTP 401')
      expect(emulator.requests).toHaveLength(1)
      expectNoLeak(result, wrong)
      expectNoHeaders(result)
    } finally {
      await emulator.close()
    }
  })

  it('an API that cannot be reached: the error names the endpoint, not the token', async () => {
    const emulator = await start()
    const url = emulator.url
    await emulator.close()
    const result = await stepAt(
      url,
      { operation: 'list-snapshots', api_token: SECRET, timeout: '3s' },
      { env: DEBUG_ENV }
    )
    expectFailure(result, 'GET /snapshots/')
    expectNoLeak(result, SECRET)
    expectNoHeaders(result)
  })
})

/** Text an API could send, each trying to start a workflow command of its own. */
const HOSTILE = [
  `x\n::error::${MARK}`,
  `x\r\n::set-output name=${MARK}::y`,
  `::warning::${MARK}-starts-with-colons`,
  `::notice::${MARK}-a-notice-of-its-own`,
  `x\r::add-mask::${MARK}-cr-only`,
  `x\u2028::error::${MARK}-line-separator`,
  `x\n\n::stop-commands::${MARK}\n::error::after-stop`
]

describe.concurrent('text from the API never starts a workflow command', () => {
  it('snapshot names and descriptions: list, restore from them, wait on them', async () => {
    const emulator = await start()
    try {
      const snapshots = HOSTILE.map(name => emulator.addSnapshot({ serverId: WEB, name, description: name }))
      const listed = await step(emulator, { operation: 'list-snapshots' })
      expectSuccess(listed)
      expect(foreignCommands(listed, 'list-snapshots')).toEqual([])
      expect(
        JSON.parse(listed.outputs.items ?? '[]')
          .map((item: { name: string }) => item.name)
          .sort()
      ).toEqual([...HOSTILE].sort())

      // Waiting on the one whose name breaks lines and opens a command: its name is an output, as it is.
      const hostile = snapshots[1] ?? snapshots[0]
      const waited = await step(emulator, {
        operation: 'wait-snapshot',
        snapshot_id: String(hostile?.id),
        server_id: String(WEB)
      })
      expectSuccess(waited)
      expect(foreignCommands(waited, 'wait-snapshot')).toEqual([])
      expect(waited.outputs.snapshot_name).toBe(hostile?.name)
      // `latest` picks the newest, the last one seeded.
      const restored = await step(emulator, {
        operation: 'restore-snapshot',
        snapshot_id: 'latest',
        server_id: String(WEB)
      })
      expectSuccess(restored)
      expect(restored.outputs.snapshot_id).toBe(String(snapshots.at(-1)?.id))
      expect(foreignCommands(restored, 'restore-snapshot')).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('backup descriptions: list, restore from them', async () => {
    const emulator = await start()
    try {
      for (const description of HOSTILE) emulator.addBackup({ serverId: WEB, description })
      const listed = await step(emulator, { operation: 'list-backups', server_id: String(WEB) })
      expectSuccess(listed)
      expect(foreignCommands(listed, 'list-backups')).toEqual([])
      const restored = await step(emulator, {
        operation: 'restore-backup',
        backup_id: 'latest',
        server_id: String(WEB)
      })
      expectSuccess(restored)
      expect(foreignCommands(restored, 'restore-backup')).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it.each(HOSTILE.slice(0, 2).map(status => [JSON.stringify(status), status]))(
    'a job status %s: one error line, naming it',
    async (_case, status) => {
      const emulator = await start()
      try {
        const stuck = emulator.addSnapshot({ serverId: WEB, name: 'stuck', status })
        const result = await step(emulator, {
          operation: 'wait-snapshot',
          snapshot_id: String(stuck.id),
          server_id: String(WEB)
        })
        expectFailure(result, 'wait-snapshot', `snapshot ${stuck.id}`)
        expect(foreignCommands(result, 'wait-snapshot')).toEqual([])
      } finally {
        await emulator.close()
      }
    }
  )

  it('a failed create whose status is hostile: one error line, the outputs untouched by it', async () => {
    const emulator = await start()
    try {
      emulator.failNextJob('snapshot', `failed\n::error::${MARK}\r\n::set-output name=snapshot_id::1`)
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectFailure(result, 'create-snapshot', 'failed')
      expect(foreignCommands(result, 'create-snapshot')).toEqual([])
      expect(result.outputs.snapshot_id).toBe(String(emulator.snapshots(WEB)[0]?.id))
    } finally {
      await emulator.close()
    }
  })

  it('a server status after a restore: in the output as it is, never a command', async () => {
    const emulator = await start()
    try {
      const status = `error\r\n::set-output name=status::hacked\n::warning::${MARK}`
      emulator.failNextJob('restore', status)
      const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'good' })
      const result = await step(emulator, {
        operation: 'restore-snapshot',
        snapshot_id: String(snapshot.id),
        server_id: String(WEB)
      })
      expectFailure(result, 'restore-snapshot failed: server 12345 ended the restore with status')
      expect(foreignCommands(result, 'restore-snapshot')).toEqual([])
      expect(result.outputs.status).toBe(status)
      expect(Object.keys(result.outputs).sort()).toEqual([
        'results',
        'server_id',
        'snapshot_id',
        'snapshot_ids',
        'status'
      ])
    } finally {
      await emulator.close()
    }
  })

  it.each<[string, string, unknown, (emulator: Emulator) => Record<string, string>]>([
    [
      'POST /snapshots/',
      'a "detail"',
      { detail: `x\n::error::${MARK}` },
      () => ({ operation: 'create-snapshot', server_id: String(WEB) })
    ],
    [
      'GET /snapshots/',
      'an "error" starting with ::',
      { error: `::warning::${MARK}-starts-with-colons` },
      () => ({ operation: 'list-snapshots' })
    ],
    [
      'POST /snapshots/{id}/restore/',
      'a list',
      [`x\n::error::${MARK}-one`, `\n::error::${MARK}-two`],
      emulator => ({
        operation: 'restore-snapshot',
        snapshot_id: String(emulator.addSnapshot({ serverId: WEB, name: 'good' }).id),
        server_id: String(WEB)
      })
    ]
  ])('an error body on %s with %s: exactly one error line', async (route, _shape, body, inputs) => {
    const emulator = await start()
    try {
      emulator.inject(route, { kind: 'status', status: 400, body })
      const operationInputs = inputs(emulator)
      const result = await step(emulator, operationInputs)
      expectFailure(result, operationInputs.operation ?? '', 'HTTP 400')
      expect(foreignCommands(result, operationInputs.operation ?? '')).toEqual([])
    } finally {
      await emulator.close()
    }
  })

  it('an error body on a lost create’s lookup, and on its retried status check: no command either', async () => {
    const emulator = await start()
    try {
      emulator.inject('POST /snapshots/', { kind: 'reset-before' })
      emulator.inject('GET /snapshots/', {
        kind: 'status',
        status: 503,
        body: { detail: `x\n::error::${MARK}` },
        headers: { 'retry-after': '0' }
      })
      const result = await step(emulator, { operation: 'create-snapshot', server_id: String(WEB) })
      expectSuccess(result)
      expect(foreignCommands(result, 'create-snapshot')).toEqual([])
      expect(writes(emulator)).toEqual(['POST /snapshots/', 'POST /snapshots/'])
    } finally {
      await emulator.close()
    }
  })
})
