// Runs the VPS.org API emulator from the command line, for demos and CI:
//   node test/emulator/cli.ts [--port N] [--host H] [--token T] [--job-seconds S]
//                             [--restore-seconds S] [--lifetime S] [--page-size N]
//                             [--servers N] [--seed]
// Prints one line `VPS_API_URL=<url>` to stdout once listening; logs each request to stderr.
// Without --servers it serves the two default servers, 12345 and 67890; with --servers N, a
// fleet of N servers, ids 101 to 100 + N.
import { parseArgs } from 'node:util'
import { DEFAULT_SERVERS, fleetServers, startEmulator, type Emulator, type EmulatorOptions } from './server.ts'

const DAY_MS = 24 * 60 * 60 * 1000

const USAGE = `usage: node test/emulator/cli.ts [--port N] [--host H] [--token T] [--job-seconds S]
       [--restore-seconds S] [--lifetime S] [--page-size N] [--servers N] [--seed]`

function parseOptions(argv: string[]): { options: EmulatorOptions; seed: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      token: { type: 'string' },
      'job-seconds': { type: 'string' },
      'restore-seconds': { type: 'string' },
      lifetime: { type: 'string' },
      'page-size': { type: 'string' },
      servers: { type: 'string' },
      seed: { type: 'boolean', default: false }
    }
  })
  const fleetSize = optionalNumber('--servers', values.servers)
  const options: EmulatorOptions = {
    host: values.host,
    token: values.token,
    port: optionalNumber('--port', values.port),
    jobSeconds: optionalNumber('--job-seconds', values['job-seconds']),
    restoreSeconds: optionalNumber('--restore-seconds', values['restore-seconds']),
    lifetimeSeconds: optionalNumber('--lifetime', values.lifetime),
    pageSize: optionalNumber('--page-size', values['page-size']),
    servers: fleetSize === undefined ? [...DEFAULT_SERVERS] : fleetOf(fleetSize),
    log: line => process.stderr.write(`${line}\n`)
  }
  return { options, seed: values.seed }
}

function fleetOf(size: number) {
  if (!Number.isInteger(size) || size < 1) throw new Error(`--servers must be a whole number of 1 or more, got "${size}"`)
  return fleetServers(size)
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new Error(`${flag} must be a non-negative number, got "${value}"`)
  }
  return number
}

/** A few items a real account would already have on its first server, none made by the action (no `gha-` prefix). */
function seedDemoData(emulator: Emulator, serverId: number): void {
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()
  emulator.addSnapshot({
    serverId,
    name: 'pre-migration-snapshot',
    createdAt: daysAgo(9),
    description: 'Before major migration'
  })
  emulator.addSnapshot({
    serverId,
    name: 'before-update-snapshot',
    createdAt: daysAgo(2),
    description: 'Snapshot before system update'
  })
  emulator.addBackup({ serverId, backupType: 'automatic', createdAt: daysAgo(1) })
}

function describeServers(servers: Array<{ id: number }>): string {
  const ids = servers.map(server => server.id)
  return ids.length > 3 ? `${ids[0]} to ${ids.at(-1)} (${ids.length})` : ids.join(', ')
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  const emulator = await startEmulator(parsed.options)
  const firstServer = parsed.options.servers?.[0]
  if (parsed.seed && firstServer) seedDemoData(emulator, firstServer.id)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: closing\n`)
      void emulator.close()
    })
  }
  process.stderr.write(`servers: ${describeServers(parsed.options.servers ?? [])}\n`)
  process.stdout.write(`VPS_API_URL=${emulator.url}\n`)
  // Nothing else holds the event loop: once the emulator closes (signal or lifetime), the process ends.
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
