import type { Dispatcher } from 'undici'
import { REAL_CLOCK, type Clock } from '../clock.ts'
import type { Reporter } from '../report.ts'
import type { RollbackTarget } from '../state.ts'
import type { Tools } from '../tools.ts'
import { StatusBoard } from '../watch/board.ts'
import { PollTicks } from '../watch/ticks.ts'
import { VpsClient } from './client.ts'
import { CONNECT_TIMEOUT_MS, RequestPause } from './retry.ts'
import { Agent } from './undici.ts'

export interface Connection {
  apiUrl: URL
  apiToken: string
  timeoutMs: number
  pollIntervalMs: number
}

export interface ConnectOptions {
  /** Where requests go, behind the retry policy: a real `Agent` unless a test passes a `MockAgent`. */
  dispatcher?: Dispatcher | undefined
  clock?: Clock | undefined
  /** Where a completed item that may be rolled back to is handed; by default it is dropped. */
  arm?: ((target: RollbackTarget) => void) | undefined
  /** The debug log: each request's method, path, status and time. */
  debug?: ((line: string) => void) | undefined
}

/** The tools of one step: a client for its API with its deadline, and the reporter it speaks through. */
export function connect(connection: Connection, report: Reporter, options: ConnectOptions = {}): Tools {
  const clock = options.clock ?? REAL_CLOCK
  const deadline = clock.now() + connection.timeoutMs
  const client = new VpsClient({
    baseUrl: connection.apiUrl,
    token: connection.apiToken,
    dispatcher: options.dispatcher ?? new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS } }),
    deadline,
    clock,
    pause: new RequestPause(clock),
    onRetry: line => report.say(line),
    log: options.debug
  })
  return {
    client,
    report,
    clock,
    deadline,
    timeoutMs: connection.timeoutMs,
    pollIntervalMs: connection.pollIntervalMs,
    ticks: new PollTicks(clock, connection.pollIntervalMs),
    board: new StatusBoard(client),
    arm: options.arm ?? (() => {})
  }
}
