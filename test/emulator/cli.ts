// Runs the VPS.org API emulator from the command line, for demos, CI and `npm run emulator`:
//   node test/emulator/cli.ts [--port N] [--host H] [--token T] [--job-seconds S]
//                             [--restore-seconds S] [--lifetime S] [--page-size N]
//                             [--servers N] [--seed]
// Prints one line `VPS_API_URL=<url>` to stdout once listening; logs each request to stderr.
// Without --servers it serves the two default servers, 12345 and 67890; with --servers N, a
// fleet of N servers, ids 101 to 100 + N. It keeps its state until it is stopped (Ctrl-C,
// SIGTERM), or until --lifetime seconds have passed when that is given.
import { parseArgs } from 'node:util'
import { seedAccount } from '../support/seeds.ts'
import { DEFAULT_SERVERS, DEFAULT_TOKEN, fleetServers, startEmulator, type EmulatorOptions } from './server.ts'

// Started by hand, it runs until stopped: `npm run local` calls it again and again, and its
// state (what the earlier runs created and deleted) is the point of keeping it.
const UNTIL_STOPPED = Infinity

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
    lifetimeSeconds: optionalNumber('--lifetime', values.lifetime) ?? UNTIL_STOPPED,
    pageSize: optionalNumber('--page-size', values['page-size']),
    servers: fleetSize === undefined ? [...DEFAULT_SERVERS] : fleetOf(fleetSize),
    log: line => process.stderr.write(`${line}\n`)
  }
  return { options, seed: values.seed }
}

function fleetOf(size: number) {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`--servers must be a whole number of 1 or more, got "${size}"`)
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
  if (parsed.seed && firstServer) seedAccount(emulator, firstServer.id)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: closing\n`)
      void emulator.close()
    })
  }
  const lifetime = parsed.options.lifetimeSeconds
  const until = lifetime === UNTIL_STOPPED ? 'until stopped (Ctrl-C)' : `for ${lifetime} s, or until stopped`
  process.stderr.write(
    `servers: ${describeServers(parsed.options.servers ?? [])}; token: ${parsed.options.token ?? DEFAULT_TOKEN}\n`
  )
  process.stderr.write(`state kept ${until}\n`)
  process.stdout.write(`VPS_API_URL=${emulator.url}\n`)
  // Nothing else holds the event loop: once the emulator closes (signal or lifetime), the process ends.
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
