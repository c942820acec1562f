// What the action uses of undici, each taken from its own module rather than from the package's
// index. `import … from 'undici'` runs the whole index: fetch, WebSocket, EventSource, the HTTP
// caches (with node:sqlite), the mock and snapshot agents, every interceptor; about 25 ms of
// start-up in every run, for an action that sends a few JSON requests through one Agent.
// Types still come from the index: `import type` is erased by the build.
//
// undici has no `exports` map, so these paths are reachable; if a release moves or renames them
// the build fails, and test/startup.test.ts checks that each is the very object the index
// exports (so a module that still exists but is no longer the one the index uses fails too).
// New code takes undici's values from here, never from 'undici' itself.
import type { Dispatcher } from 'undici'
import UndiciAgent from 'undici/lib/dispatcher/agent.js'
import undiciRetryInterceptor from 'undici/lib/interceptor/retry.js'
import undiciRequest from 'undici/lib/api/api-request.js'

/**
 * undici's `Agent` (`undici.Agent`), always with undici's own HTTP/1 parser, llhttp. The
 * experimental Milo parser, which `UNDICI_USE_MILO` in a workflow's environment would otherwise
 * turn on, is not in the bundle (scripts/build.mjs).
 */
export class Agent extends UndiciAgent {
  constructor(options: ConstructorParameters<typeof UndiciAgent>[0] = {}) {
    super({ ...options, useMilo: false })
  }
}
/** undici's retry interceptor, as `undici.interceptors.retry`, for `dispatcher.compose(…)`. */
export const retryInterceptor = undiciRetryInterceptor

/**
 * `dispatcher.request(options)`. The index adds `request` and the other API methods to every
 * dispatcher (`Object.assign(Dispatcher.prototype, api)`); without the index they are not there,
 * so the method is called on the dispatcher here.
 */
export function request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return undiciRequest.call(dispatcher, options)
}
