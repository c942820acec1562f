import { plain } from '../format.ts'
import { mayHaveActed, type Answer } from './answers.ts'

/** The API answered with an error status, or with something that is not the documented JSON. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  /** Method and path relative to the base URL, e.g. `POST /snapshots/`. */
  readonly endpoint: string
  /** The API's own words, taken from whatever shape its error body has. */
  readonly apiMessage: string
  /** What the attempts before this answer got, when the request was tried more than once. */
  readonly earlierAnswers: readonly Answer[]
  /** Where to look: `check input "server_id": …` (`causeOf`). */
  readonly hint: string | undefined

  constructor(
    status: number,
    endpoint: string,
    apiMessage: string,
    earlierAnswers: readonly Answer[] = [],
    where: { url?: string; hint?: string } = {}
  ) {
    // A 404 names the whole URL, api_url's host and path with it: the path alone hides a wrong api_url.
    const from = status === NOT_FOUND && where.url ? `${endpoint.split(' ')[0]} ${where.url}` : endpoint
    super(`HTTP ${status} from ${from}: ${apiMessage}${where.hint ? ` ${capitalised(where.hint)}.` : ''}`)
    this.status = status
    this.endpoint = endpoint
    this.apiMessage = apiMessage
    this.earlierAnswers = earlierAnswers
    this.hint = where.hint
  }

  /** An earlier attempt of the same request may have been carried out (its answer was lost). */
  get earlierAttemptMayHaveActed(): boolean {
    return this.earlierAnswers.some(mayHaveActed)
  }
}

const NOT_FOUND = 404

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * Which input a refusal points at, from the answer and the request alone: the token for a 401 or
 * 403, and for a 404 the input that named what was not found (a server, a snapshot, a backup).
 * A list's path exists whatever the inputs, so a 404 there, or everywhere (`apiAnswers` false),
 * points at `api_url`.
 */
export function causeOf(
  status: number,
  method: string,
  path: string,
  apiAnswers: boolean | undefined
): string | undefined {
  if (status === 401) return 'check input "api_token": the API did not accept it'
  if (status === 403)
    return 'check input "api_token": the API refused it (a token without the permission for this request)'
  if (status !== NOT_FOUND) return undefined
  const [, collection, id, action] = /^\/(snapshots|backups|servers)\/(?:(\d+)\/)?(?:(restore)\/)?$/.exec(path) ?? []
  if (apiAnswers === false || collection === undefined || (id === undefined && method === 'GET'))
    return 'check input "api_url": no path of the API answers there'
  if (id === undefined) return 'check input "server_id": the API has no such server'
  if (collection === 'servers')
    return action
      ? `check inputs "server_id" and "backup_id": the API has no server ${id}, or no such backup of it`
      : `check input "server_id": the API has no server ${id}`
  return `check input "${collection === 'snapshots' ? 'snapshot_id' : 'backup_id'}": the API has no ${collection.slice(0, -1)} ${id}`
}

/** No answer at all: the connection failed, was reset, or the request timed out. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError'
  readonly endpoint: string
  /** The transport error's code, e.g. `ECONNRESET`. */
  readonly code: string

  constructor(endpoint: string, reason: string, options: { cause?: unknown; code: string }) {
    super(`no answer from ${endpoint}: ${reason}`, { cause: options.cause })
    this.endpoint = endpoint
    this.code = options.code
  }
}

/** The answer an error stands for, for the answers table; undefined for anything that is not the API's. */
export function answerOf(error: unknown): Answer | undefined {
  if (error instanceof ApiError) return { status: error.status }
  if (error instanceof NetworkError) return { code: error.code }
  return undefined
}

/** The API said yes (2xx) but its answer could not be read: the request was carried out. */
export function isUnreadableSuccess(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 200 && error.status < 300
}

/** Longest excerpt of a non-JSON body quoted in an error: enough to recognise a proxy page. */
const EXCERPT_LENGTH = 120

/**
 * The API's message from an error body of any shape: `{detail}`, `{message}`, `{error}`,
 * a map of field name to messages, or a page that is not JSON at all.
 */
export function apiMessageOf(body: string, contentType: string | undefined): string {
  const parsed = parseJson(body)
  if (parsed === undefined) return excerptOf(body, contentType)
  const message = messageFromJson(parsed)
  return message
    ? shorten(plain(message), MAX_MESSAGE_LENGTH)
    : `an error body without a message (${shorten(plain(body), EXCERPT_LENGTH)})`
}

/** Longest API message quoted in an error line; anything longer is cut. */
const MAX_MESSAGE_LENGTH = 500

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text
}

function messageFromJson(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return joinMessages(value)
  if (value === null || typeof value !== 'object') return undefined
  const record = value as Record<string, unknown>
  for (const key of ['detail', 'message', 'error', 'non_field_errors']) {
    const message = messageFromJson(record[key])
    if (message) return message
  }
  const fields = Object.entries(record)
    .map(([field, messages]) => {
      const text = messageFromJson(messages)
      return text ? `${field}: ${text}` : undefined
    })
    .filter(text => text !== undefined)
  return fields.length > 0 ? fields.join('; ') : undefined
}

function joinMessages(values: unknown[]): string | undefined {
  const texts = values.map(messageFromJson).filter(text => text !== undefined)
  return texts.length > 0 ? texts.join(' ') : undefined
}

function excerptOf(body: string, contentType: string | undefined): string {
  const text = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const type = contentType?.split(';')[0]?.trim() || 'unlabelled'
  if (text === '') return `an empty answer (${type})`
  return `an answer that is not JSON (${type}): "${shorten(plain(text), EXCERPT_LENGTH)}"`
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}
