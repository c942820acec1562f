import type { Clock } from '../clock.ts'
import { formatDuration } from '../format.ts'
import type { ServerProgress, ServerState } from '../tools.ts'

/**
 * At most this long between two progress lines while anything waits: a step whose log stays
 * still for longer looks hung, and a collapsed group hides the lines inside it while it runs.
 */
const PROGRESS_EVERY_MS = 30_000

/**
 * The step's servers as a person watching the log wants to see them: one line, outside every
 * group, at the first status check and then at least every PROGRESS_EVERY_MS while anything waits.
 * The poller, which owns the waiting, says when (`due`, `tick`); the fleet says where each server is.
 */
export class Progress implements ServerProgress {
  readonly #clock: Clock
  readonly #say: (line: string) => void
  readonly #servers = new Map<number, ServerState>()
  #startedAt = 0
  #lastLineAt: number | undefined

  constructor(clock: Clock, say: (line: string) => void) {
    this.#clock = clock
    this.#say = say
  }

  /** The step's servers, in the order `server_id` gave, none started yet. */
  start(serverIds: readonly number[]): void {
    this.#startedAt = this.#clock.now()
    for (const serverId of serverIds) this.#servers.set(serverId, { at: 'queued' })
  }

  /** Where one of the started servers is now. */
  set(serverId: number, state: ServerState): void {
    if (this.#servers.has(serverId)) this.#servers.set(serverId, state)
  }

  /** When the next line is due; the first comes with the first status check. */
  due(): number {
    return this.#lastLineAt === undefined || this.#servers.size === 0 ? Infinity : this.#lastLineAt + PROGRESS_EVERY_MS
  }

  /** Prints the line if it is due, or if this is the step's first status check. */
  tick(options: { checked: boolean }): void {
    const now = this.#clock.now()
    const first = this.#lastLineAt === undefined && options.checked && this.#servers.size > 0
    if (!first && now < this.due()) return
    this.#lastLineAt = now
    this.#say(progressLine([...this.#servers], now - this.#startedAt))
  }
}

/**
 * `Server 101, 1 min 10 s: snapshot 807 in progress` for one server; for several, one line for
 * all: `3 servers, 4 min 10 s: 1 completed (101), 2 in progress (102, 103)`.
 */
function progressLine(servers: ReadonlyArray<[number, ServerState]>, elapsedMs: number): string {
  const took = formatDuration(elapsedMs)
  const [only] = servers
  if (servers.length === 1 && only) return `Server ${only[0]}, ${took}: ${describe(only[1])}`
  const groups = new Map<string, { rank: number; ids: number[] }>()
  for (const [serverId, state] of servers) {
    const label = labelOf(state)
    const group = groups.get(label) ?? {
      rank: RANK[state.at] + (state.at === 'ended' && state.failed ? 0.5 : 0),
      ids: []
    }
    group.ids.push(serverId)
    groups.set(label, group)
  }
  const parts = [...groups]
    .sort(([, a], [, b]) => a.rank - b.rank)
    .map(([label, { ids }]) => `${ids.length} ${label} (${ids.join(', ')})`)
  return `${servers.length} servers, ${took}: ${parts.join(', ')}`
}

/** Ended first (succeeded, then failed), then those waiting, at work, and not started. */
const RANK: Record<ServerState['at'], number> = { ended: 0, waiting: 1, working: 2, queued: 3 }

function labelOf(state: ServerState): string {
  switch (state.at) {
    case 'queued':
      return 'not started'
    case 'working':
      return 'at work'
    case 'waiting':
      return humanStatus(state.status) ?? 'waiting'
    case 'ended':
      return state.outcome
  }
}

function describe(state: ServerState): string {
  if (state.at !== 'waiting') return labelOf(state)
  const status = humanStatus(state.status) ?? 'waiting for its first check'
  return state.what === '' ? status : `${state.what} ${status}`
}

/** `in_progress` as a person writes it; any other status as the API says it. */
function humanStatus(status: string | undefined): string | undefined {
  return status?.replace(/_/g, ' ')
}
