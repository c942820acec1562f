// The progress line as the step prints it: through Progress, which the poller ticks and the fleet
// tells where each server is, on a virtual clock.
import type { ServerState } from '../../src/tools.ts'
import { Progress } from '../../src/watch/progress.ts'
import { VirtualClock } from './clock.ts'

/** The line printed at the step's first status check, `elapsedMs` after its servers started, each where it is. */
export function firstProgressLine(servers: ReadonlyArray<[number, ServerState]>, elapsedMs: number): string {
  const clock = new VirtualClock(0)
  const lines: string[] = []
  const progress = new Progress(clock, line => lines.push(line))
  progress.start(servers.map(([serverId]) => serverId))
  for (const [serverId, state] of servers) progress.set(serverId, state)
  clock.advance(elapsedMs)
  progress.tick({ checked: true })
  const [line] = lines
  if (lines.length !== 1 || line === undefined) throw new Error(`expected one progress line, got ${lines.length}`)
  return line
}
