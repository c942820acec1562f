import type { Dispatcher } from 'undici'
import { ApiError, NetworkError, apiMessageOf, parseJson } from './errors.ts'
import { NOT_SENT_ERRORS } from './retry.ts'
import { request } from './undici.ts'

/** Longest a single request may take when the operation's own deadline is further away. */
export const REQUEST_TIMEOUT_MS = 30_000
/** A list longer than this many pages is surely a loop in `next`, not data. */
const MAX_PAGES = 1_000
const USER_AGENT = 'vps-org-snapshot-action/1'

export type Method = 'GET' | 'POST' | 'DELETE'

export interface HttpOptions {
  /** The API's base URL, e.g. `https://admin.vps.org/api/v1`. */
  baseUrl: URL
  token: string
  /** A real `Agent` in production, a `MockAgent` in unit tests. */
  dispatcher: Dispatcher
  /** Epoch milliseconds past which no request is sent or awaited. */
  deadline: number
  /** One line per request (method, path, status, time); never headers. */
  log?: (line: string) => void
}

interface Page {
  results: unknown[]
  next?: string | null
}

/** What an answer must look like, checked before anything reads it. */
export interface Shape<T> {
  is(value: unknown): value is T
  /** For the error when it does not: "a snapshot", "a restore answer". */
  description: string
}

/** JSON over HTTP to one API: the base URL and token set once, a timeout on every request. */
export class JsonHttp {
  readonly #options: HttpOptions
  readonly #basePath: string

  constructor(options: HttpOptions) {
    this.#options = options
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '')
  }

  async send<T>(method: Method, path: string, shape: Shape<T>, body?: unknown): Promise<T> {
    return this.#request(method, this.#url(path), shape, body)
  }

  /** Every item of a paginated list, following `next` until it is null. */
  async getAll<T>(path: string, query: Record<string, string | number | undefined>, shape: Shape<T>): Promise<T[]> {
    const items: T[] = []
    const page: Shape<Page & { results: T[] }> = {
      is: (value): value is Page & { results: T[] } => isPage(value) && value.results.every(item => shape.is(item)),
      description: `a list ("results") in which each is a ${shape.description}`
    }
    let url: URL | undefined = this.#url(path, query)
    for (let count = 0; url && count < MAX_PAGES; count++) {
      const answer: Page & { results: T[] } = await this.#request('GET', url, page)
      items.push(...answer.results)
      url = answer.next ? this.#sameOrigin(answer.next, url) : undefined
    }
    if (url) throw new ApiError(200, this.#endpoint('GET', url), `the list goes on past ${MAX_PAGES} pages`)
    return items
  }

  async #request<T>(method: Method, url: URL, shape: Shape<T>, body?: unknown): Promise<T> {
    const endpoint = this.#endpoint(method, url)
    const started = Date.now()
    const remainingMs = this.#options.deadline - started
    // Each attempt is cut off after REQUEST_TIMEOUT_MS; all attempts together end at the deadline.
    const timeoutMs = Math.min(REQUEST_TIMEOUT_MS, remainingMs)
    if (remainingMs <= 0) throw new NetworkError(endpoint, 'the operation ran out of time (input "timeout") before this request', { sent: false })
    let response: Dispatcher.ResponseData
    try {
      response = await request(this.#options.dispatcher, {
        origin: url.origin,
        path: url.pathname + url.search,
        method,
        headers: {
          authorization: `Bearer ${this.#options.token}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': USER_AGENT
        },
        body: body === undefined ? null : JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(remainingMs)
      })
    } catch (error) {
      throw new NetworkError(endpoint, describeTransportError(error, timeoutMs), { cause: error, sent: !NOT_SENT_ERRORS.includes(codeOf(error)) })
    }
    const text = await response.body.text().catch((error: unknown) => {
      throw new NetworkError(endpoint, describeTransportError(error, timeoutMs), { cause: error, sent: true })
    })
    this.#options.log?.(`${endpoint} → ${response.statusCode} (${Date.now() - started} ms)`)
    return this.#interpret(response, text, endpoint, shape)
  }

  #interpret<T>(response: Dispatcher.ResponseData, text: string, endpoint: string, shape: Shape<T>): T {
    const { statusCode, headers } = response
    const contentType = headerOf(headers['content-type'])
    if (statusCode >= 300 && statusCode < 400) {
      const location = headerOf(headers.location) ?? 'nowhere'
      throw new ApiError(statusCode, endpoint, `the API redirected to ${location}; redirects are not followed, check api_url`)
    }
    if (statusCode < 200 || statusCode >= 300) throw new ApiError(statusCode, endpoint, apiMessageOf(text, contentType))
    const parsed = text === '' ? undefined : parseJson(text)
    if (text !== '' && parsed === undefined) throw new ApiError(statusCode, endpoint, apiMessageOf(text, contentType))
    if (!shape.is(parsed)) throw new ApiError(statusCode, endpoint, `unexpected answer: expected ${shape.description}`)
    return parsed
  }

  #url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(this.#options.baseUrl.origin + this.#basePath + path)
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    return url
  }

  /** The token goes only to the origin it was given for, so a `next` elsewhere is refused. */
  #sameOrigin(next: string, current: URL): URL {
    const url = new URL(next, current)
    if (url.origin !== this.#options.baseUrl.origin) {
      throw new ApiError(200, this.#endpoint('GET', current), `the next page is on another origin (${url.origin}); not followed`)
    }
    return url
  }

  /** `GET /snapshots/?server_id=1`: the method and the path below the base URL. */
  #endpoint(method: Method, url: URL): string {
    const path = url.pathname.startsWith(this.#basePath) ? url.pathname.slice(this.#basePath.length) : url.pathname
    return `${method} ${path}${url.search}`
  }
}

function isPage(value: unknown): value is Page {
  return typeof value === 'object' && value !== null && Array.isArray((value as Page).results)
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '')
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string }
  if (name === 'TimeoutError' || name === 'AbortError') return 'the operation ran out of time (input "timeout")'
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `no answer within ${Math.ceil(timeoutMs / 1000)} s`
  return [code, message].filter(Boolean).join(': ') || String(error)
}
