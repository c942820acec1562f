// How the emulator answers: a Reply value, an error that carries one, and the code that writes it.
import type { ServerResponse } from 'node:http'

export interface Reply {
  status: number
  /** An object is sent as JSON, a string as plain text, undefined as no body at all. */
  body?: unknown
  headers?: Record<string, string>
}

/** Thrown by a handler to answer with an error; the body's shape is the handler's choice. */
export class HttpError extends Error {
  override name = 'HttpError'
  readonly reply: Reply

  constructor(status: number, body: unknown, headers?: Record<string, string>) {
    super(`HTTP ${status}`)
    this.reply = { status, body, headers }
  }
}

const STATUSES_WITHOUT_BODY = new Set([204, 304])

interface EncodedReply {
  status: number
  headers: Record<string, string>
  payload: string
}

export function encodeReply(reply: Reply): EncodedReply {
  const headers: Record<string, string> = { ...reply.headers }
  if (reply.body === undefined) return { status: reply.status, headers, payload: '' }
  if (typeof reply.body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8'
    return { status: reply.status, headers, payload: reply.body }
  }
  headers['content-type'] ??= 'application/json'
  return { status: reply.status, headers, payload: JSON.stringify(reply.body) }
}

export function writeEncoded(response: ServerResponse, encoded: EncodedReply): void {
  if (response.destroyed) return // the client went away; nobody is listening
  const headers = { ...encoded.headers }
  // RFC 9110 forbids Content-Length on a 204 and 304 (they never have a body).
  if (!STATUSES_WITHOUT_BODY.has(encoded.status)) {
    headers['content-length'] = String(Buffer.byteLength(encoded.payload))
  }
  response.writeHead(encoded.status, headers)
  response.end(encoded.payload)
}

export function sendReply(response: ServerResponse, reply: Reply): void {
  writeEncoded(response, encodeReply(reply))
}
