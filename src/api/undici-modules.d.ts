// Types for the undici modules that src/api/undici.ts imports by path: undici publishes types
// for its index only. Each is declared as what the index exports under that name.
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici'
  export default Agent
}

declare module 'undici/lib/interceptor/retry.js' {
  import { interceptors } from 'undici'
  const retry: typeof interceptors.retry
  export default retry
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici'
  /** `Dispatcher.prototype.request`, called with the dispatcher as `this`. */
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>
  export default request
}
