import { MockAgent, type MockPool } from 'undici'
import { afterEach, beforeEach } from 'vitest'

export const MOCK_ORIGIN = 'https://api.test'

/**
 * undici's MockAgent for the API's origin, new for each test and closed after it; no request
 * reaches the network. `calls()` is every request it answered, in order.
 */
export function useMockApi(): {
  agent: () => MockAgent
  api: () => MockPool
  calls: () => Array<{ method: string; path: string; body: unknown }>
} {
  let agent: MockAgent
  let api: MockPool
  beforeEach(() => {
    agent = new MockAgent({ enableCallHistory: true })
    agent.disableNetConnect()
    api = agent.get(MOCK_ORIGIN)
  })
  afterEach(async () => {
    await agent.close()
  })
  return {
    agent: () => agent,
    api: () => api,
    calls: () =>
      [...(agent.getCallHistory() ?? [])].map(call => ({ method: call.method, path: call.path, body: call.body }))
  }
}
