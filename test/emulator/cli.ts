// Runs the VPS.org API emulator from the command line, for demos and CI:
//   node test/emulator/cli.ts [--port N] [--host H] [--token T] [--job-seconds S]
//                             [--restore-seconds S] [--lifetime S] [--page-size N] [--seed]
// Prints one line `VPS_API_URL=<url>` to stdout once listening; logs each request to stderr.
import { parseArgs } from 'node:util'
import { startEmulator, type Emulator, type EmulatorOptions } from './server.ts'

const DEMO_SERVER_ID = 12345
const DAY_MS = 24 * 60 * 60 * 1000

const USAGE = `usage: node test/emulator/cli.ts [--port N] [--host H] [--token T] [--job-seconds S]
       [--restore-seconds S] [--lifetime S] [--page-size N] [--seed]`

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
      seed: { type: 'boolean', default: false }
    }
  })
  const options: EmulatorOptions = {
    host: values.host,
    token: values.token,
    port: optionalNumber('--port', values.port),
    jobSeconds: optionalNumber('--job-seconds', values['job-seconds']),
    restoreSeconds: optionalNumber('--restore-seconds', values['restore-seconds']),
    lifetimeSeconds: optionalNumber('--lifetime', values.lifetime),
    pageSize: optionalNumber('--page-size', values['page-size']),
    log: (line) => process.stderr.write(`${line}\n`)
  }
  return { options, seed: values.seed }
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new Error(`${flag} must be a non-negative number, got "${value}"`)
  }
  return number
}

/** A few items a real account would already have, none of them made by the action (no `gha-` prefix). */
function seedDemoData(emulator: Emulator): void {
  const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString()
  emulator.addSnapshot({
    serverId: DEMO_SERVER_ID, name: 'pre-migration-snapshot', createdAt: daysAgo(9),
    description: 'Before major migration'
  })
  emulator.addSnapshot({
    serverId: DEMO_SERVER_ID, name: 'before-update-snapshot', createdAt: daysAgo(2),
    description: 'Snapshot before system update'
  })
  emulator.addBackup({ serverId: DEMO_SERVER_ID, backupType: 'automatic', createdAt: daysAgo(1) })
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
  if (parsed.seed) seedDemoData(emulator)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`${signal}: closing\n`)
      void emulator.close()
    })
  }
  process.stdout.write(`VPS_API_URL=${emulator.url}\n`)
  // Nothing else holds the event loop: once the emulator closes (signal or lifetime), the process ends.
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
