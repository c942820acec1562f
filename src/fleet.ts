import { explain, OperationError } from './errors.ts'
import { capitalise, formatDuration } from './format.ts'
import { renderOutputs, type ServerResult, type StatusOf } from './outputs.ts'
import { itemOf, Recorder } from './report.ts'
import type { Tools } from './tools.ts'

/** The servers a step works on, and how: one server is a fleet of one, on the same path. */
interface FleetWork<P> {
  serverIds: readonly number[]
  maxParallel: number
  /** Whose `status` the outputs give: the item's (create, wait) or the server's (restore). */
  statusOf: StatusOf
  /**
   * Runs for every server before any server's `work`, and must succeed for all of them, or no
   * server is worked on: a restore finds every server's item before it overwrites any disk.
   */
  prepare?: {
    run(serverId: number, tools: Tools): Promise<P>
    /** Why the others were not worked on, for their results: `not restored: no server is, unless …`. */
    heldBack: string
  }
  /** One server's work, through the tools it is handed: its own client and log. */
  work(serverId: number, tools: Tools, prepared: P): Promise<void>
}

/** One server's part of the step: its own log and client, and what it ended with. */
interface ServerPart {
  serverId: number
  recorder: Recorder
  tools: Tools
  /** When its work began: not before a place among the `maxParallel` was free. */
  startedAt: number | undefined
  error?: unknown
}

/**
 * Works on each server side by side, at most `maxParallel` at once, all through the step's one
 * client (one connection pool, one pause when the API asks to slow down, one poller). Each server
 * speaks into a log of its own (its retries included), printed as one block when it ends, so that
 * servers never interleave line by line; the step's own lines (progress, failures) stay outside.
 * One server's failure cancels nothing: every server runs to its end, then the outputs are
 * rendered from every server's result and the step fails naming each server that failed and why.
 */
export async function onEachServer<P>(fleet: FleetWork<P>, tools: Tools): Promise<void> {
  const { serverIds, maxParallel } = fleet
  if (serverIds.length > 1)
    tools.report.say(
      `Working on ${serverIds.length} servers, at most ${Math.min(maxParallel, serverIds.length)} at once: ${serverIds.join(', ')}.`
    )
  tools.progress.start(serverIds)
  const parts = serverIds.map(serverId => partOf(serverId, tools))
  const prepared = new Map<ServerPart, P>()
  if (fleet.prepare) {
    const { prepare } = fleet
    await atMostAtOnce(parts, maxParallel, part =>
      attempt(part, tools, async () => void prepared.set(part, await prepare.run(part.serverId, part.tools)))
    )
  }
  const refused = parts.filter(part => 'error' in part)
  const results =
    refused.length > 0
      ? parts.map(part =>
          end(part, tools, parts.length, fleet.statusOf, 'error' in part ? undefined : (fleet.prepare?.heldBack ?? ''))
        )
      : await atMostAtOnce(parts, maxParallel, async part => {
          await attempt(part, tools, () => fleet.work(part.serverId, part.tools, prepared.get(part) as P))
          return end(part, tools, parts.length, fleet.statusOf)
        })
  tools.report.set(renderOutputs(results, fleet.statusOf))
  tools.report.servers(results, fleet.statusOf)
  const failed = parts.filter(part => 'error' in part)
  if (failed.length === 0) return
  // One server's failure is its own error, as it always was; several are named in one line.
  const [only] = parts
  if (parts.length === 1 && only) throw only.error
  const why = failed.map(part => named(part.serverId, explain(part.error))).join('; ')
  const held =
    refused.length > 0 && refused.length < parts.length && fleet.prepare
      ? `; the others were ${fleet.prepare.heldBack}`
      : ''
  throw new OperationError(`${failed.length} of ${parts.length} servers failed: ${why}${held}`)
}

/** Whether a line already names its server, so that no prefix repeats it. */
function namesServer(text: string, serverId: number): boolean {
  return new RegExp(`\\bserver ${serverId}\\b`, 'i').test(text)
}

/** `server 102: …`, unless the explanation names its server first already. */
function named(serverId: number, why: string): string {
  return why.startsWith(`server ${serverId} `) ? why : `server ${serverId}: ${why}`
}

/** `task` for each of `items`, at most `maxParallel` running at once; the results in the items' order. */
export async function atMostAtOnce<T, R>(
  items: readonly T[],
  maxParallel: number,
  task: (item: T) => Promise<R>
): Promise<R[]> {
  const results: R[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index] as T)
  }
  await Promise.all(Array.from({ length: Math.min(maxParallel, items.length) }, worker))
  return results
}

function partOf(serverId: number, tools: Tools): ServerPart {
  const recorder = new Recorder()
  // Retries of this server's requests are told in its own block, naming it.
  const client = tools.client.retryingInto(line => recorder.say(`Server ${serverId}: ${line}`))
  return { serverId, recorder, tools: { ...tools, report: recorder, client }, startedAt: undefined }
}

/** Runs a server's part; its failure is recorded as its own, never thrown at the others. */
async function attempt(part: ServerPart, tools: Tools, work: () => Promise<void>): Promise<void> {
  part.startedAt ??= tools.clock.now()
  tools.progress.set(part.serverId, { at: 'working' })
  try {
    await work()
  } catch (error) {
    part.error = error
  }
}

/** A server's end: its result, its block in the log, its lines of the summary, where it is now. */
function end(part: ServerPart, tools: Tools, fleetSize: number, statusOf: StatusOf, heldBack?: string): ServerResult {
  const failed = 'error' in part
  const endedAt = tools.clock.now()
  const result: ServerResult = {
    serverId: part.serverId,
    ...part.recorder.outcome.facts,
    startedAt: part.startedAt ?? endedAt,
    endedAt,
    ...(failed ? { error: explain(part.error) } : {}),
    ...(heldBack === undefined ? {} : { heldBack }),
    ...(part.recorder.outcome.planned.length === 0 ? {} : { planned: part.recorder.outcome.planned })
  }
  if (heldBack !== undefined) part.recorder.say(`${capitalise(heldBack)}.`)
  tools.report.block(blockTitle(result, statusOf), part.recorder.log)
  // A dry run's plan is the step's, whichever server it is for.
  tools.report.outcome.planned.push(...part.recorder.outcome.planned)
  for (const line of part.recorder.outcome.lines) {
    if (line.level !== 'note' || part.recorder.outcome.planned.length > 0)
      tools.report.summarize(
        line.level,
        namesServer(line.text, part.serverId) ? line.text : `Server ${part.serverId}: ${line.text}`
      )
  }
  const status = statusOf === 'server' ? result.serverStatus : result.item?.status
  tools.progress.set(part.serverId, {
    at: 'ended',
    outcome: failed ? 'failed' : heldBack !== undefined ? 'held back' : (status?.replace(/_/g, ' ') ?? 'done'),
    failed
  })
  // Live, for a person watching a fleet; one server's failure is the step's error line itself.
  if (failed && fleetSize > 1) tools.report.say(`Server ${part.serverId} failed: ${result.error}`)
  return result
}

/**
 * `Server 101: snapshot 807 completed, 3 min 2 s`, `Server 101: restore from snapshot 807, server
 * running, 4 min`, `Server 101: 4 found, 0.2 s`, `Server 101: 2 deleted, 0.3 s`, or `Server 102:
 * failed after 1.2 s`.
 */
/** `2 deleted`, or in a dry run `would delete 2`. */
function deletions(result: ServerResult): string {
  const planned = result.planned?.filter(action => action.do === 'delete').length
  return planned === undefined ? `${result.deletedIds?.length ?? 0} deleted` : `would delete ${planned}`
}

function blockTitle(result: ServerResult, statusOf: StatusOf): string {
  const took = formatDuration(result.endedAt - result.startedAt)
  if (result.error !== undefined) return `Server ${result.serverId}: failed after ${took}`
  if (result.heldBack !== undefined) return `Server ${result.serverId}: ${result.heldBack.split(':')[0]}`
  const item = itemOf(result)
  if (statusOf === 'server' && item !== undefined)
    return `Server ${result.serverId}: restore from ${item}${result.serverStatus === undefined ? '' : `, server ${result.serverStatus}`}, ${took}`
  const did = [
    [item, result.item?.status].filter(Boolean).join(' '),
    result.count === undefined ? '' : `${result.count} found`,
    result.deletedIds === undefined || item !== undefined ? '' : deletions(result)
  ].filter(Boolean)
  return `Server ${result.serverId}: ${did.join(', ') || 'done'}, ${took}`
}
