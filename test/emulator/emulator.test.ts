// Tests of the API emulator itself, spoken to over real HTTP with fetch.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB, fleetServers, startEmulator, WEB, type Emulator } from './server.ts'

const TOKEN = 'test-token'
const JOB_SECONDS = 0.2
const SETTLE_MS = 300 // comfortably past JOB_SECONDS and RESTORE_SECONDS
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url))

let emulator: Emulator

beforeEach(async () => {
  emulator = await startEmulator({ token: TOKEN, jobSeconds: JOB_SECONDS, restoreSeconds: JOB_SECONDS })
})

afterEach(async () => {
  await emulator.close()
})

interface Answer {
  status: number
  headers: Headers
  text: string
  /** The JSON answer, read as the tests need it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
}

function send(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `${emulator.url}${path}`
  return fetch(url, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    ...init
  })
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await send(method, path, body)
  const text = await response.text()
  const isJson = response.headers.get('content-type')?.includes('json') ?? false
  return { status: response.status, headers: response.headers, text, body: isJson ? JSON.parse(text) : undefined }
}

/** The first line of a stream that matches, its first group. */
function firstLine(stream: Readable, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const match = text
        .split('\n')
        .map(line => pattern.exec(line))
        .find(Boolean)
      if (match) resolve(match[1] ?? '')
    })
    stream.on('end', () => reject(new Error(`no line matched ${pattern} in: ${text}`)))
  })
}

const createSnapshot = (name: string, serverId = WEB) => call('POST', '/snapshots/', { server_id: serverId, name })
const createBackup = (serverId = WEB) => call('POST', '/backups/', { server_id: serverId, description: 'test' })

describe('authentication', () => {
  it('refuses a request without a token', async () => {
    const response = await fetch(`${emulator.url}/snapshots/`)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ detail: 'Authentication credentials were not provided.' })
  })

  it('refuses a wrong token and records the header it got', async () => {
    const response = await fetch(`${emulator.url}/servers/${WEB}/`, { headers: { authorization: 'Bearer wrong' } })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ detail: 'Invalid token.' })
    expect(emulator.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/api/v1/servers/${WEB}/`,
      authorization: 'Bearer wrong'
    })
  })

  it('uses emulator-token by default', async () => {
    const other = await startEmulator()
    try {
      const response = await fetch(`${other.url}/servers/${WEB}/`, {
        headers: { authorization: 'Bearer emulator-token' }
      })
      expect(await response.json()).toEqual({ id: WEB, name: 'web-server-01', status: 'running' })
    } finally {
      await other.close()
    }
  })
})

describe('jobs', () => {
  it('creates a snapshot in_progress that completes after jobSeconds', async () => {
    const created = await call('POST', '/snapshots/', { server_id: WEB, name: 'gha-one', description: 'first' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      id: 801,
      server: { id: WEB, name: 'web-server-01' },
      name: 'gha-one',
      status: 'in_progress',
      size_mb: null,
      description: 'first',
      message: expect.stringContaining('Snapshot is being created')
    })
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    const before = await call('GET', `/snapshots/?server_id=${WEB}`)
    expect(before.body.results[0]).toMatchObject({ id: 801, status: 'in_progress', size_mb: null })
    await sleep(SETTLE_MS)
    const after = await call('GET', `/snapshots/?server_id=${WEB}`)
    expect(after.body.results[0].status).toBe('completed')
    expect(Number.isInteger(after.body.results[0].size_mb)).toBe(true)
  })

  it('creates a manual backup that never expires', async () => {
    const created = await createBackup()
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      id: 501,
      backup_type: 'manual',
      status: 'in_progress',
      size_mb: null,
      expires_at: null,
      description: 'test',
      message: expect.stringContaining('Backup is being created')
    })
    await sleep(SETTLE_MS)
    expect(emulator.backups(WEB)[0]).toMatchObject({ status: 'completed', size_mb: expect.any(Number) })
  })

  it('ends only the next job of a kind in the status failNextJob gives', async () => {
    emulator.failNextJob('snapshot')
    emulator.failNextJob('backup', 'error')
    await createSnapshot('doomed')
    await createSnapshot('fine')
    await createBackup()
    await sleep(SETTLE_MS)
    expect(emulator.snapshots(WEB).map(s => [s.name, s.status, s.size_mb === null])).toEqual([
      ['fine', 'completed', false],
      ['doomed', 'failed', true]
    ])
    expect(emulator.backups(WEB)[0]?.status).toBe('error')
  })

  it('applies setJobSeconds to jobs created afterwards', async () => {
    emulator.setJobSeconds(60)
    await createSnapshot('slow')
    await sleep(SETTLE_MS)
    expect(emulator.snapshots(WEB)[0]?.status).toBe('in_progress')
  })
})

describe('limits', () => {
  it('allows 5 snapshots per server and names the limit on the 6th', async () => {
    for (let index = 0; index < 5; index++) expect((await createSnapshot(`s${index}`)).status).toBe(201)
    const refused = await createSnapshot('s5')
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatch(/at most 5 snapshots/)
    expect((await createSnapshot('other-server', DB)).status).toBe(201)
  })

  it('allows 10 manual backups per server, automatic ones not counted', async () => {
    for (let index = 0; index < 3; index++) emulator.addBackup({ serverId: WEB, backupType: 'automatic' })
    for (let index = 0; index < 10; index++) expect((await createBackup()).status).toBe(201)
    const refused = await createBackup()
    expect(refused.status).toBe(400)
    expect(refused.body.message).toMatch(/at most 10 manual backups/)
  })
})

describe('validation and unknown things', () => {
  it('answers a field map for bad snapshot parameters', async () => {
    const bad = await call('POST', '/snapshots/', { server_id: '12345', name: 'has space', description: 7 })
    expect(bad.status).toBe(400)
    expect(bad.body).toEqual({
      server_id: ['A valid integer is required.'],
      name: ['Only letters, digits, - and _ are allowed.'],
      description: ['Not a valid string.']
    })
    const missing = await call('POST', '/snapshots/', {})
    expect(missing.body).toEqual({ server_id: ['This field is required.'], name: ['This field is required.'] })
    expect((await call('POST', '/backups/', { server_id: 1.5 })).body).toEqual({
      server_id: ['A valid integer is required.']
    })
  })

  it('lets a test helper refuse an unknown server', () => {
    expect(() => emulator.addSnapshot({ serverId: 1, name: 'x' })).toThrow(/server 1 does not exist/)
    expect(() => emulator.addServer({ id: WEB, name: 'twin' })).toThrow(/already exists/)
  })

  it('refuses a body that is not JSON', async () => {
    const answer = await call('POST', '/snapshots/', '{not json')
    expect(answer.status).toBe(400)
    expect(answer.body.detail).toMatch(/JSON parse error/)
    expect(emulator.requests.at(-1)?.body).toBe('{not json')
  })

  it('answers 404 for an unknown server, item or route, and 405 for a wrong method', async () => {
    expect(await createSnapshot('x', 1)).toMatchObject({ status: 404, body: { detail: 'Server not found.' } })
    expect(await createBackup(1)).toMatchObject({ status: 404, body: { message: 'Server not found.' } })
    expect(await call('GET', '/servers/1/')).toMatchObject({ status: 404, body: { detail: 'Not found.' } })
    expect(await call('POST', '/snapshots/999/restore/')).toMatchObject({ status: 404 })
    expect(await call('GET', '/volumes/')).toMatchObject({ status: 404, body: { detail: 'Not found.' } })
    expect(await call('GET', '/snapshots')).toMatchObject({ status: 404 }) // every path ends with a slash
    const wrongMethod = await call('GET', '/snapshots/801/')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('DELETE')
  })
})

describe('lists', () => {
  it('pages newest first and follows next to the end, keeping filters', async () => {
    for (let index = 0; index < 7; index++) emulator.addSnapshot({ serverId: WEB, name: `s${index}` })
    emulator.addSnapshot({ serverId: DB, name: 'elsewhere' })
    const ids: number[] = []
    let next: string | null = `${emulator.url}/snapshots/?server_id=${WEB}`
    let pages = 0
    while (next) {
      const page = await call('GET', next)
      expect(page.status).toBe(200)
      expect(page.body.count).toBe(7)
      ids.push(...page.body.results.map((item: { id: number }) => item.id))
      if (page.body.next) expect(page.body.next).toContain(`server_id=${WEB}`)
      next = page.body.next
      pages++
    }
    expect(pages).toBe(3)
    expect(ids).toEqual([807, 806, 805, 804, 803, 802, 801])
  })

  it('links pages with full URLs from the Host header', async () => {
    for (let index = 0; index < 4; index++) emulator.addBackup({ serverId: WEB })
    const first = await call('GET', '/backups/')
    expect(first.body.next).toBe(`${emulator.url}/backups/?page=2`)
    expect(first.body.previous).toBeNull()
    const second = await call('GET', first.body.next)
    expect(second.body).toMatchObject({ next: null, previous: `${emulator.url}/backups/`, results: [{ id: 501 }] })
    expect(await call('GET', '/backups/?page=9')).toMatchObject({ status: 404, body: { detail: 'Invalid page.' } })
  })

  it('filters backups by server and type, and refuses an unknown type', async () => {
    emulator.addBackup({ serverId: WEB, backupType: 'automatic' })
    emulator.addBackup({ serverId: WEB })
    emulator.addBackup({ serverId: DB, backupType: 'automatic' })
    const automatic = await call('GET', `/backups/?server_id=${WEB}&backup_type=automatic`)
    expect(automatic.body.results.map((b: { id: number }) => b.id)).toEqual([501])
    expect(automatic.body.results[0].expires_at).toEqual(expect.any(String))
    expect((await call('GET', '/backups/?backup_type=manual')).body.count).toBe(1)
    const unknown = await call('GET', '/backups/?backup_type=weekly')
    expect(unknown.status).toBe(400)
    expect(unknown.body.backup_type[0]).toMatch(/weekly/)
  })
})

describe('restores', () => {
  // Long enough to see each phase: stopping for the first 300 ms, restoring until 1.2 s.
  const PHASED_RESTORE_SECONDS = 1.2

  it('restores from a snapshot: stopping, then restoring, refused meanwhile, then running', async () => {
    emulator.setRestoreSeconds(PHASED_RESTORE_SECONDS)
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'base', createdAt: '2025-01-15T18:30:00Z' })
    const started = Date.now()
    const answer = await call('POST', `/snapshots/${snapshot.id}/restore/`)
    expect(answer).toMatchObject({
      status: 200,
      body: {
        status: 'success',
        message: expect.any(String),
        snapshot: { id: snapshot.id, name: 'base', created_at: '2025-01-15T18:30:00Z' },
        // The provider stops the server before restoring it: that is where the answer finds it.
        server: { id: WEB, name: 'web-server-01', status: 'stopping' }
      }
    })
    expect((await call('GET', `/servers/${WEB}/`)).body.status).toBe('stopping')
    const whileStopping = await call('POST', `/snapshots/${snapshot.id}/restore/`)
    expect(whileStopping.status).toBe(400)
    expect(whileStopping.body.error).toMatch(/not in a valid state/)
    await sleep(started + 600 - Date.now())
    expect((await call('GET', `/servers/${WEB}/`)).body.status).toBe('restoring')
    expect((await call('POST', `/snapshots/${snapshot.id}/restore/`)).status).toBe(400)
    await sleep(started + 1500 - Date.now())
    expect((await call('GET', `/servers/${WEB}/`)).body).toEqual({ id: WEB, name: 'web-server-01', status: 'running' })
    expect(emulator.restores).toEqual([
      { serverId: WEB, from: { kind: 'snapshot', id: snapshot.id }, at: expect.any(Number) }
    ])
  })

  it('refuses a snapshot that is not completed and ends a failed restore in the given status', async () => {
    const pending = emulator.addSnapshot({ serverId: WEB, name: 'pending', status: 'in_progress' })
    expect((await call('POST', `/snapshots/${pending.id}/restore/`)).status).toBe(400)
    const ready = emulator.addSnapshot({ serverId: WEB, name: 'ready' })
    emulator.failNextJob('restore', 'error')
    expect((await call('POST', `/snapshots/${ready.id}/restore/`)).status).toBe(200)
    await sleep(SETTLE_MS)
    expect(emulator.server(WEB)?.status).toBe('error')
    expect(emulator.restores.map(restore => restore.from)).toEqual([{ kind: 'snapshot', id: ready.id }])
  })

  it('restores a server from its backup and checks the backup', async () => {
    const backup = emulator.addBackup({ serverId: WEB })
    const foreign = emulator.addBackup({ serverId: DB })
    const pending = emulator.addBackup({ serverId: WEB, status: 'in_progress' })
    expect(await call('POST', `/servers/${WEB}/restore/`, {})).toMatchObject({
      status: 400,
      body: { backup_id: [expect.any(String)] }
    })
    expect(await call('POST', `/servers/${WEB}/restore/`, { backup_id: 'x' })).toMatchObject({ status: 400 })
    expect(await call('POST', `/servers/${WEB}/restore/`, { backup_id: 9999 })).toMatchObject({ status: 404 })
    expect(await call('POST', `/servers/1/restore/`, { backup_id: backup.id })).toMatchObject({ status: 404 })
    expect(await call('POST', `/servers/${WEB}/restore/`, { backup_id: foreign.id })).toMatchObject({ status: 400 })
    expect(await call('POST', `/servers/${WEB}/restore/`, { backup_id: pending.id })).toMatchObject({ status: 400 })
    expect(emulator.restores).toEqual([])

    const answer = await call('POST', `/servers/${WEB}/restore/`, { backup_id: backup.id })
    expect(answer.body).toMatchObject({
      status: 'success',
      backup: { id: backup.id, created_at: backup.created_at },
      server: { id: WEB, status: 'stopping' }
    })
    expect(await call('POST', `/servers/${WEB}/restore/`, { backup_id: backup.id })).toMatchObject({
      status: 400,
      body: { message: expect.any(String) }
    })
    await sleep(SETTLE_MS)
    expect(emulator.server(WEB)?.status).toBe('running')
    expect(emulator.restores.map(restore => restore.from)).toEqual([{ kind: 'backup', id: backup.id }])
  })
})

describe('disks', () => {
  it('captures the disk in a snapshot or backup when it is created, and gives it back on restore', async () => {
    emulator.write(WEB, 'base')
    emulator.write(WEB, 'order 1')
    const created = await createSnapshot('before-deploy')
    const backup = (await createBackup()).body
    emulator.write(WEB, 'deploy')
    emulator.write(DB, 'elsewhere')
    expect(emulator.disk(WEB)).toEqual(['base', 'order 1', 'deploy'])
    expect(emulator.capturedDisk('snapshot', created.body.id)).toEqual(['base', 'order 1'])
    expect(emulator.capturedDisk('backup', backup.id)).toEqual(['base', 'order 1'])
    await sleep(SETTLE_MS)

    expect((await call('POST', `/snapshots/${created.body.id}/restore/`)).status).toBe(200)
    // Nothing changes on the disk until the restore is done.
    expect(emulator.disk(WEB)).toEqual(['base', 'order 1', 'deploy'])
    await sleep(SETTLE_MS)
    expect(emulator.disk(WEB)).toEqual(['base', 'order 1'])
    expect(emulator.disk(DB)).toEqual(['elsewhere'])
  })

  it('takes no writes while a restore runs, and keeps the disk when the restore fails', async () => {
    emulator.setRestoreSeconds(0.8) // stopping for the first 200 ms
    emulator.write(WEB, 'base')
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'empty', disk: [] })
    expect(emulator.capturedDisk('snapshot', snapshot.id)).toEqual([])
    emulator.failNextJob('restore', 'error')
    const started = Date.now()
    await call('POST', `/snapshots/${snapshot.id}/restore/`)
    expect(() => emulator.write(WEB, 'order')).toThrow(/server 12345 is stopping: it takes no writes/)
    await sleep(started + 400 - Date.now())
    expect(() => emulator.write(WEB, 'order')).toThrow(/is restoring/)
    await sleep(started + 1000 - Date.now())
    expect(emulator.server(WEB)?.status).toBe('error')
    expect(emulator.disk(WEB)).toEqual(['base'])
  })

  it('seeds an item with the current disk unless told otherwise, and knows no unknown item', () => {
    emulator.write(WEB, 'base')
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'now' })
    const backup = emulator.addBackup({ serverId: WEB, disk: ['older'] })
    emulator.write(WEB, 'later')
    expect(emulator.capturedDisk('snapshot', snapshot.id)).toEqual(['base'])
    expect(emulator.capturedDisk('backup', backup.id)).toEqual(['older'])
    expect(() => emulator.capturedDisk('snapshot', 4242)).toThrow(/snapshot 4242 does not exist/)
    expect(() => emulator.disk(1)).toThrow(/server 1 does not exist/)
  })
})

describe('fleets', () => {
  it('serves any number of servers, ids from 101', async () => {
    const fleet = await startEmulator({ token: TOKEN, servers: fleetServers(120) })
    try {
      const get = (id: number) =>
        fetch(`${fleet.url}/servers/${id}/`, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(await (await get(101)).json()).toEqual({ id: 101, name: 'fleet-server-101', status: 'running' })
      expect((await get(220)).status).toBe(200)
      expect((await get(221)).status).toBe(404)
      expect((await get(WEB)).status).toBe(404)
    } finally {
      await fleet.close()
    }
    expect(() => fleetServers(0)).toThrow(/positive whole number/)
  })

  it('runs a fleet from the command line with --servers, and the two default servers without it', async () => {
    const listed = async (args: string[]) => {
      const child = spawn(process.execPath, [CLI, '--token', TOKEN, '--lifetime', '20', ...args], {
        stdio: ['ignore', 'pipe', 'pipe']
      })
      try {
        const url = await firstLine(child.stdout, /^VPS_API_URL=(.+)$/)
        const statuses: Record<number, number> = {}
        for (const id of [101, 103, 104, WEB, DB]) {
          statuses[id] = (
            await fetch(`${url}/servers/${id}/`, { headers: { authorization: `Bearer ${TOKEN}` } })
          ).status
        }
        return statuses
      } finally {
        child.kill()
      }
    }
    expect(await listed(['--servers', '3'])).toEqual({ 101: 200, 103: 200, 104: 404, [WEB]: 404, [DB]: 404 })
    expect(await listed([])).toEqual({ 101: 404, 103: 404, 104: 404, [WEB]: 200, [DB]: 200 })
  })
})

describe('deletion', () => {
  it('deletes a finished item with 204, then 404', async () => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'old' })
    const response = await send('DELETE', `/snapshots/${snapshot.id}/`)
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(emulator.snapshots()).toEqual([])
    expect(await call('DELETE', `/snapshots/${snapshot.id}/`)).toMatchObject({
      status: 404,
      body: { detail: 'Not found.' }
    })
    expect(await call('DELETE', '/backups/12/')).toMatchObject({ status: 404, body: { error: 'Backup not found.' } })
  })

  it('refuses to delete an item still in progress', async () => {
    const created = await createBackup()
    expect(await call('DELETE', `/backups/${created.body.id}/`)).toMatchObject({
      status: 400,
      body: { error: expect.any(String) }
    })
    await sleep(SETTLE_MS)
    expect((await send('DELETE', `/backups/${created.body.id}/`)).status).toBe(204)
    const failed = emulator.addSnapshot({ serverId: WEB, name: 'broken', status: 'failed' })
    expect((await send('DELETE', `/snapshots/${failed.id}/`)).status).toBe(204)
  })
})

describe('faults', () => {
  it('answers an injected status without acting, one fault per request', async () => {
    emulator.inject(
      'POST /snapshots/',
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
      { kind: 'status', status: 503, body: 'down' }
    )
    const limited = await createSnapshot('a')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(limited.body).toEqual({ detail: 'Too Many Requests.' })
    const down = await createSnapshot('a')
    expect(down).toMatchObject({ status: 503, text: 'down' })
    expect(emulator.snapshots()).toEqual([])
    expect((await createSnapshot('a')).status).toBe(201)
    expect(emulator.requests.filter(request => request.method === 'POST')).toHaveLength(3)
    expect(emulator.requests[0]?.body).toEqual({ server_id: WEB, name: 'a' })
  })

  it('serves a proxy HTML page without acting', async () => {
    emulator.inject('DELETE /snapshots/{id}/', { kind: 'html', status: 502 })
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'keep' })
    const answer = await call('DELETE', `/snapshots/${snapshot.id}/`)
    expect(answer.status).toBe(502)
    expect(answer.headers.get('content-type')).toBe('text/html')
    expect(answer.text).toContain('502 Bad Gateway')
    expect(emulator.snapshots()).toHaveLength(1)
  })

  it('acts, then sends half the JSON body', async () => {
    emulator.inject('POST /backups/', { kind: 'truncated-json' })
    const response = await send('POST', '/backups/', { server_id: WEB })
    expect(response.status).toBe(201)
    const text = await response.text()
    expect(() => JSON.parse(text)).toThrow()
    expect(emulator.backups(WEB)).toHaveLength(1)
  })

  it('resets before acting: nothing changes', async () => {
    emulator.inject('POST /snapshots/', { kind: 'reset-before' })
    await expect(createSnapshot('lost')).rejects.toThrow()
    expect(emulator.snapshots()).toEqual([])
    expect(emulator.requests).toHaveLength(1)
  })

  it('resets after acting: the change is committed', async () => {
    const snapshot = emulator.addSnapshot({ serverId: WEB, name: 'base' })
    emulator.inject('POST /snapshots/{id}/restore/', { kind: 'reset-after' })
    await expect(call('POST', `/snapshots/${snapshot.id}/restore/`)).rejects.toThrow()
    expect(emulator.server(WEB)?.status).toBe('stopping')
  })

  it('hangs without acting until the client gives up', async () => {
    emulator.inject('GET /servers/{id}/', { kind: 'hang' })
    emulator.inject('POST /backups/', { kind: 'hang' })
    await expect(send('GET', `/servers/${WEB}/`, undefined, { signal: AbortSignal.timeout(200) })).rejects.toThrow()
    await expect(send('POST', '/backups/', { server_id: WEB }, { signal: AbortSignal.timeout(200) })).rejects.toThrow()
    expect(emulator.backups()).toEqual([])
    expect((await call('GET', `/servers/${WEB}/`)).status).toBe(200)
  })

  it('redirects without acting', async () => {
    emulator.inject('GET /snapshots/', { kind: 'redirect', location: 'https://elsewhere.example/' })
    const response = await send('GET', '/snapshots/', undefined, { redirect: 'manual' })
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe('https://elsewhere.example/')
  })

  it('throws on an unknown route', () => {
    expect(() => emulator.inject('GET /snapshot/', { kind: 'hang' })).toThrow(/unknown route/)
  })
})

describe('lifecycle', () => {
  it('closes promptly with a hanging request', async () => {
    emulator.inject('GET /snapshots/', { kind: 'hang' })
    const hanging = send('GET', '/snapshots/').catch((error: unknown) => error)
    await sleep(50) // let the request reach the server
    const started = Date.now()
    await emulator.close()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await hanging).toBeInstanceOf(Error)
  })

  it('stops by itself after its lifetime', async () => {
    const shortLived = await startEmulator({ lifetimeSeconds: 0.1 })
    await sleep(200)
    await expect(fetch(`${shortLived.url}/snapshots/`)).rejects.toThrow()
    await shortLived.close()
  })

  it('listens on IPv6 loopback too', async () => {
    const v6 = await startEmulator({ host: '::1', token: TOKEN })
    try {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+\/api\/v1$/)
      for (let index = 0; index < 4; index++) v6.addSnapshot({ serverId: WEB, name: `s${index}` })
      const response = await fetch(`${v6.url}/snapshots/`, { headers: { authorization: `Bearer ${TOKEN}` } })
      const page = (await response.json()) as { next: string | null }
      expect(page.next).toBe(`${v6.url}/snapshots/?page=2`)
    } finally {
      await v6.close()
    }
  })
})
