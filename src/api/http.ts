import type { Dispatcher, RetryHandler } from 'undici'
import type { Clock } from '../clock.ts'
import {
  DEADLINE_REACHED,
  ERRORS_WORTH_ASKING_ABOUT,
  NO_TIME_LEFT,
  STATUSES_WORTH_ASKING_ABOUT,
  type Answer,
  type Method
} from './answers.ts'
import { ApiError, NetworkError, apiMessageOf, causeOf, parseJson } from './errors.ts'
import { MAX_ATTEMPTS, retryDelay, type RequestPause } from './retry.ts'
import { request, retryInterceptor } from './undici.ts'

/** Longest a single request may take when the operation's own deadline is further away. */
const REQUEST_TIMEOUT_MS = 30_000
const USER_AGENT = 'vps-org-snapshot-action/1'

export interface HttpOptions {
  /** The API's base URL, e.g. `https://admin.vps.org/api/v1`. */
  baseUrl: URL
  token: string
  /** A real `Agent` in production, a `MockAgent` in unit tests; the retry policy is added on top. */
  dispatcher: Dispatcher
  /** Epoch milliseconds after which no request is sent and none is waited for. */
  deadline: number
  clock: Clock
  /** Shared by every request of the step: a Retry-After pauses them all. */
  pause: RequestPause
  /** Each retry, for the log a person reads. */
  onRetry?: (line: string) => void
  /** Each request's method, path, status and time, for the debug log; never its headers. */
  log?: (line: string) => void
}

interface Page {
  results: unknown[]
  count?: unknown
  next?: string | null
}

/** One page of a list: its items, the list's `count` when the API gives it, and whether more follow. */
export interface ListPage<T> {
  results: T[]
  count: number | undefined
  hasNext: boolean
}

/** What an answer must look like, checked before anything reads it. */
export interface Shape<T> {
  is(value: unknown): value is T
  /** For the error when it does not: "a snapshot", "a restore answer". */
  description: string
}

/** JSON over HTTP to one API: the base URL and token set once, a timeout and the retry policy on every request. */
export class JsonHttp {
  readonly #options: HttpOptions
  readonly #basePath: string
  readonly #dispatcher: Dispatcher
  /**
   * Whether the API answers at `api_url` at all, asked once when a 404 is met (`#apiAnswers`); shared with every fork.
   */
  readonly #probe: { answers?: Promise<boolean> }

  constructor(options: HttpOptions, composed?: Dispatcher, probe: { answers?: Promise<boolean> } = {}) {
    this.#options = options
    this.#probe = probe
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '')
    // undici's retry handler re-sends the request and honours abort signals; whether and when
    // is decided per request (`#retryPolicy`). With throwOnError false, the last answer itself
    // (status, the API's message) reaches the caller when the policy stops.
    this.#dispatcher =
      composed ??
      options.dispatcher.compose(
        retryInterceptor({
          statusCodes: STATUSES_WORTH_ASKING_ABOUT,
          errorCodes: ERRORS_WORTH_ASKING_ABOUT,
          methods: ['GET', 'DELETE', 'POST'],
          throwOnError: false
        })
      )
  }

  /** The same connections, deadline and pause, with retries told to `onRetry`: one server's log. */
  retryingInto(onRetry: (line: string) => void): JsonHttp {
    return new JsonHttp({ ...this.#options, onRetry }, this.#dispatcher, this.#probe)
  }

  async send<T>(method: Method, path: string, shape: Shape<T>, body?: unknown): Promise<T> {
    return this.#request(method, this.#url(path), shape, body)
  }

  /** Every item of a paginated list, following `next` to the end; a `next` seen before is a loop. */
  async getAll<T>(path: string, query: Record<string, string | number | undefined>, shape: Shape<T>): Promise<T[]> {
    const items: T[] = []
    for await (const page of this.pages(path, query, shape)) items.push(...page.results)
    return items
  }

  /**
   * The pages of a list one by one, so that a reader may stop after the first (its `count` says how many there are).
   */
  async *pages<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    shape: Shape<T>
  ): AsyncGenerator<ListPage<T>> {
    const page: Shape<Page & { results: T[] }> = {
      is: (value): value is Page & { results: T[] } => isPage(value) && value.results.every(item => shape.is(item)),
      description: `a list ("results") in which each is a ${shape.description}`
    }
    const seen = new Set<string>()
    for (let url: URL | undefined = this.#url(path, query); url;) {
      seen.add(url.href)
      const answer: Page & { results: T[] } = await this.#request('GET', url, page)
      const next: URL | undefined = answer.next ? this.#sameOrigin(answer.next, url) : undefined
      if (next && seen.has(next.href))
        throw new ApiError(
          200,
          this.#endpoint('GET', url),
          `the list's next page is ${this.#endpoint('GET', next)}, a page already read: the list loops`
        )
      yield {
        results: answer.results,
        count: typeof answer.count === 'number' ? answer.count : undefined,
        hasNext: next !== undefined
      }
      url = next
    }
  }

  async #request<T>(method: Method, url: URL, shape: Shape<T>, body?: unknown): Promise<T> {
    const { clock, deadline, pause } = this.#options
    const endpoint = this.#endpoint(method, url)
    await pause.ready()
    const started = clock.now()
    const remainingMs = deadline - started
    if (remainingMs <= 0)
      throw new NetworkError(endpoint, 'the operation ran out of time (input "timeout") before this request', {
        code: NO_TIME_LEFT
      })
    // Each attempt is cut off after REQUEST_TIMEOUT_MS; all attempts together end at the deadline.
    const timeoutMs = Math.ceil(Math.min(REQUEST_TIMEOUT_MS, remainingMs))
    const earlierAnswers: Answer[] = []
    // The retry interceptor reads per-request retryOptions from the dispatch options.
    const options: Dispatcher.RequestOptions & { retryOptions: RetryHandler.RetryOptions } = {
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
      signal: AbortSignal.timeout(Math.ceil(remainingMs)),
      retryOptions: { retry: this.#retryPolicy(method, endpoint, earlierAnswers, timeoutMs) }
    }
    let response: Dispatcher.ResponseData
    try {
      response = await request(this.#dispatcher, options)
    } catch (error) {
      throw new NetworkError(endpoint, describeTransportError(error, timeoutMs), { cause: error, code: codeOf(error) })
    }
    const text = await response.body.text().catch((error: unknown) => {
      throw new NetworkError(endpoint, describeTransportError(error, timeoutMs), {
        cause: error,
        code: codeOf(error) || 'UND_ERR_SOCKET'
      })
    })
    this.#options.log?.(`${endpoint} → ${response.statusCode} (${clock.now() - started} ms)`)
    try {
      return this.#interpret(response, text, endpoint, shape, earlierAnswers, url)
    } catch (error) {
      throw await this.#pointedAtApiUrl(error, method, url)
    }
  }

  /**
   * A 404 of an item's or a server's path may be a wrong `api_url` as well as a wrong id: the
   * API's own list, which always exists, is read once to tell them apart.
   */
  async #pointedAtApiUrl(error: unknown, method: Method, url: URL): Promise<unknown> {
    // A DELETE's 404 is confirmed by a read of the list, which says as much (`execute/delete.ts`).
    if (
      !(error instanceof ApiError) ||
      error.status !== 404 ||
      method === 'DELETE' ||
      error.hint?.includes('"api_url"')
    )
      return error
    this.#probe.answers ??= this.send('GET', '/snapshots/', ANY_ANSWER).then(
      () => true,
      (probeError: unknown) => !(probeError instanceof ApiError && probeError.status === 404)
    )
    if (await this.#probe.answers) return error
    const hint = causeOf(404, method, this.#path(url), false)
    return new ApiError(error.status, error.endpoint, error.apiMessage, error.earlierAnswers, { url: url.href, hint })
  }

  /** Asked by undici's retry handler after each failed attempt of one request. */
  #retryPolicy(
    method: Method,
    endpoint: string,
    earlierAnswers: Answer[],
    timeoutMs: number
  ): RetryHandler.RetryCallback {
    const { clock, deadline, pause, onRetry } = this.#options
    return (error, { state }, callback) => {
      const { statusCode, code, headers } = error as Error & {
        statusCode?: number
        code?: string
        headers?: Record<string, string | string[]>
      }
      const answer: Answer =
        code === 'UND_ERR_REQ_RETRY' && statusCode !== undefined ? { status: statusCode } : { code: code ?? '' }
      const header = headers?.['retry-after']
      const retryAfter = Array.isArray(header) ? header[0] : header
      const delay = retryDelay(
        { method, answer, retryAfter, retry: state.counter, remainingMs: deadline - clock.now() },
        Math.random,
        clock.now()
      )
      if (delay === undefined) return callback(error)
      earlierAnswers.push(answer)
      if (retryAfter !== undefined) pause.pauseFor(delay)
      const reason = 'status' in answer ? `HTTP ${answer.status}` : transportWords(answer.code, timeoutMs)
      onRetry?.(
        `${endpoint}: ${reason}; trying again in ${(delay / 1000).toFixed(1)} s (attempt ${state.counter + 1} of ${MAX_ATTEMPTS})`
      )
      // The pause may have grown meanwhile (another request's Retry-After): it holds retries too.
      void clock
        .sleep(delay)
        .then(() => pause.ready())
        .then(() => callback(null))
      return undefined
    }
  }

  #interpret<T>(
    response: Dispatcher.ResponseData,
    text: string,
    endpoint: string,
    shape: Shape<T>,
    earlierAnswers: Answer[],
    url: URL
  ): T {
    const { statusCode, headers } = response
    const contentType = headerOf(headers['content-type'])
    if (statusCode >= 300 && statusCode < 400) {
      const location = headerOf(headers.location) ?? 'nowhere'
      throw new ApiError(
        statusCode,
        endpoint,
        `the API redirected to ${location}; redirects are not followed, check api_url`,
        earlierAnswers
      )
    }
    if (statusCode < 200 || statusCode >= 300) {
      const hint = causeOf(statusCode, endpoint.split(' ')[0] ?? '', this.#path(url), undefined)
      throw new ApiError(statusCode, endpoint, apiMessageOf(text, contentType), earlierAnswers, { url: url.href, hint })
    }
    const parsed = text === '' ? undefined : parseJson(text)
    if (text !== '' && parsed === undefined)
      throw new ApiError(statusCode, endpoint, apiMessageOf(text, contentType), earlierAnswers)
    if (!shape.is(parsed))
      throw new ApiError(statusCode, endpoint, `unexpected answer: expected ${shape.description}`, earlierAnswers)
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
      throw new ApiError(
        200,
        this.#endpoint('GET', current),
        `the next page is on another origin (${url.origin}); not followed`
      )
    }
    return url
  }

  /** `GET /snapshots/?server_id=1`: the method and the path below the base URL. */
  #endpoint(method: Method, url: URL): string {
    return `${method} ${this.#path(url)}${url.search}`
  }

  /** `/snapshots/`: the path below the base URL, without the query. */
  #path(url: URL): string {
    return url.pathname.startsWith(this.#basePath) ? url.pathname.slice(this.#basePath.length) : url.pathname
  }
}

/** The probe of `#pointedAtApiUrl` reads only the status. */
const ANY_ANSWER: Shape<unknown> = { is: (_value): _value is unknown => true, description: 'anything' }

function isPage(value: unknown): value is Page {
  return typeof value === 'object' && value !== null && Array.isArray((value as Page).results)
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** The transport error's code; the step's own deadline, which aborts the request, has one of its own. */
function codeOf(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: string; code?: unknown }
  if (name === 'TimeoutError' || name === 'AbortError') return DEADLINE_REACHED
  return typeof code === 'string' ? code : ''
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string }
  if (codeOf(error) === DEADLINE_REACHED) return 'the operation ran out of time (input "timeout")'
  const words = code === undefined ? undefined : transportWords(code, timeoutMs)
  if (words !== undefined && words !== code) return words
  return [code, message].filter(Boolean).join(': ') || String(error)
}

/** What a transport failure means, in a person's words rather than the library's code. */
function transportWords(code: string, timeoutMs: number): string {
  const seconds = Math.ceil(timeoutMs / 1000)
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no answer within ${seconds} s`
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'no connection within the time allowed'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'the connection was closed before an answer came'
    case 'ECONNREFUSED':
      return 'the connection was refused (check api_url)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return "the API's host name could not be found (check api_url)"
    default:
      return code
  }
}
