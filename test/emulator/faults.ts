// Faults a test queues for a route: what a flaky network, a proxy or a rate limiter does.
import { STATUS_CODES, type ServerResponse } from 'node:http'
import { encodeReply, sendReply, writeEncoded, type Reply } from './reply.ts'

export type Fault =
  /** Answer with this status (JSON body if an object, raw if a string) without acting. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** A proxy's HTML error page, without acting. */
  | { kind: 'html'; status: number }
  /** Act, then send the real status with half of the JSON body. */
  | { kind: 'truncated-json' }
  /** Drop the connection before acting: the request had no effect. */
  | { kind: 'reset-before' }
  /** Act (the change is committed), then drop the connection without answering. */
  | { kind: 'reset-after' }
  /** Neither act nor answer; the socket stays open until the client gives up or close(). */
  | { kind: 'hang' }
  /** Redirect to `location` without acting. */
  | { kind: 'redirect'; location: string; status?: number }
  /** No fault: answered as usual. Queued before others, so that they fall on a later request. */
  | { kind: 'pass' }

/** Faults that replace the request's effect, as opposed to those that spoil its answer. */
export type FaultBeforeActing = Extract<Fault, { kind: 'status' | 'html' | 'reset-before' | 'hang' | 'redirect' }>
type PlayedFault = Exclude<Fault, { kind: 'pass' }>
export type FaultAfterActing = Extract<Fault, { kind: 'truncated-json' | 'reset-after' }>

const DEFAULT_REDIRECT_STATUS = 307 // keeps the method and body, the kind a client must not follow blindly

export function isFaultBeforeActing(fault: PlayedFault): fault is FaultBeforeActing {
  return fault.kind !== 'truncated-json' && fault.kind !== 'reset-after'
}

/**
 * Per-route queues, and per route and server: each request on a route consumes at most one
 * fault, one queued for its own server first (a fleet's chaos falls on one server's requests).
 */
export class FaultQueues {
  private readonly queues = new Map<string, Fault[]>()
  private readonly knownRoutes: ReadonlySet<string>

  constructor(knownRoutes: Iterable<string>) {
    this.knownRoutes = new Set(knownRoutes)
  }

  /** `serverId` 'none': only requests about no one server (a read of the whole list). */
  add(route: string, faults: Fault[], serverId?: number | 'none'): void {
    if (!this.knownRoutes.has(route)) {
      throw new Error(`unknown route "${route}"; expected one of: ${[...this.knownRoutes].join(', ')}`)
    }
    const key = keyOf(route, serverId)
    const queue = this.queues.get(key) ?? []
    queue.push(...faults)
    this.queues.set(key, queue)
  }

  take(route: string, serverId: number | undefined): PlayedFault | undefined {
    const fault = this.queues.get(keyOf(route, serverId ?? 'none'))?.shift() ?? this.queues.get(route)?.shift()
    return fault?.kind === 'pass' ? undefined : fault
  }
}

function keyOf(route: string, serverId: number | 'none' | undefined): string {
  return serverId === undefined ? route : `${route} for server ${serverId}`
}

/** Drops the connection abruptly (a TCP RST), as a crashing proxy would. */
export function resetConnection(response: ServerResponse): void {
  response.socket?.resetAndDestroy()
}

/** Plays a fault that stands in for the request's effect. */
export function playFaultBeforeActing(fault: FaultBeforeActing, response: ServerResponse): void {
  switch (fault.kind) {
    case 'status':
      sendReply(response, statusReply(fault))
      return
    case 'html':
      sendReply(response, htmlErrorPage(fault.status))
      return
    case 'redirect':
      sendReply(response, {
        status: fault.status ?? DEFAULT_REDIRECT_STATUS,
        headers: { location: fault.location },
        body: ''
      })
      return
    case 'reset-before':
      resetConnection(response)
      return
    case 'hang':
      return // close() ends the socket; until then the client waits
  }
}

/** Plays a fault on the answer of a request that has already acted. */
export function playFaultAfterActing(fault: FaultAfterActing, response: ServerResponse, reply: Reply): void {
  if (fault.kind === 'reset-after') {
    resetConnection(response)
    return
  }
  const encoded = encodeReply(reply)
  // Half the body with a matching Content-Length: the client reads a complete, unparseable body.
  writeEncoded(response, { ...encoded, payload: encoded.payload.slice(0, Math.floor(encoded.payload.length / 2)) })
}

/** How the request log names a fault, e.g. "429 (injected)" or "reset-after (injected)". */
export function describeFault(fault: PlayedFault): string {
  switch (fault.kind) {
    case 'status':
    case 'html':
      return `${fault.status} (injected ${fault.kind})`
    case 'redirect':
      return `${fault.status ?? DEFAULT_REDIRECT_STATUS} (injected redirect)`
    default:
      return `(injected ${fault.kind})`
  }
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error'
}

function statusReply(fault: Extract<Fault, { kind: 'status' }>): Reply {
  const body = fault.body === undefined ? { detail: `${statusText(fault.status)}.` } : fault.body
  return { status: fault.status, headers: fault.headers, body }
}

function htmlErrorPage(status: number): Reply {
  const title = `${status} ${statusText(status)}`
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  }
}
