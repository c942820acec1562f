import type { Dispatcher } from 'undici'
import { VpsClient } from './api/client.ts'
import { CONNECT_TIMEOUT_MS, RequestPause } from './api/retry.ts'
import { Agent } from './api/undici.ts'
import { REAL_CLOCK, type Clock } from './clock.ts'
import type { Reporter } from './report.ts'
import type { RollbackTarget } from './state.ts'
import type { Tools } from './tools.ts'
import { SharedLists } from './watch/lists.ts'
import { Poller } from './watch/poller.ts'
import { Progress } from './watch/progress.ts'

interface Connection {
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

/**
 * The tools of one step, put together in one place: one client for its API (one connection pool,
 * one deadline, one pause when the API asks to slow down), the shared list reads, the poller that
 * owns every wait, the progress line, and the reporter the step speaks through.
 */
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
  const say = (line: string) => report.say(line)
  const lists = new SharedLists(client, say)
  const progress = new Progress(clock, say)
  return {
    client,
    report,
    clock,
    deadline,
    lists,
    progress,
    poller: new Poller({
      clock,
      pollIntervalMs: connection.pollIntervalMs,
      timeoutMs: connection.timeoutMs,
      deadline,
      lists,
      progress
    }),
    arm: options.arm ?? (() => {})
  }
}
