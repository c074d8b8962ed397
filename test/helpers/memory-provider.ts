import type { ModelCapabilities, ProviderCredentials, ProviderDefinition, ProviderImplementation } from '../../providers/contract.ts'
import { defineProvider } from '../../providers/define-provider.ts'
import { ProviderError } from '../../providers/errors.ts'
import type { ConformanceFailure, ConformanceOptions } from '../../providers/testing/index.ts'

export const MEMORY_GOOD_KEY = 'memory-good-5b9e2d7c4a1f8e3b6d0a'

const CAPABILITIES: ModelCapabilities = { temperature: true, temperatureRange: [0, 1], reasoningEfforts: [], structuredOutput: false }

/**
 * A conformant provider with no network at all: its "vendor" is a variable the scenarios set. Every check it
 * meets settles within microseconds, so a test of the kit's own timing (`checkTimeoutMs`) stays exact on a busy
 * machine. `change` replaces parts of the implementation, to break it on purpose.
 */
export function memoryProvider (
  change: (implementation: ProviderImplementation) => Partial<ProviderImplementation> = () => ({})
): Omit<ConformanceOptions, 'badKey'> & { readonly definition: ProviderDefinition } {
  let nextFailure: ConformanceFailure | undefined
  const refuse = (credentials: ProviderCredentials): void => {
    if (credentials.apiKey !== MEMORY_GOOD_KEY) throw new ProviderError('PROVIDER_AUTH', 'Memory rejected the API key.', { status: 401 })
  }
  const implementation: ProviderImplementation = {
    models: [{ id: 'memory-1', label: 'Memory 1', capabilities: CAPABILITIES }],
    capabilities: () => CAPABILITIES,
    validateKey: async credentials => credentials.apiKey === MEMORY_GOOD_KEY ? { valid: true } : { valid: false, reason: 'Memory rejected the API key.' },
    async listModels (credentials) {
      refuse(credentials)
      return [{ id: 'memory-1', label: 'Memory 1', capabilities: CAPABILITIES }]
    },
    async invoke (request) {
      refuse(request)
      const failure = nextFailure
      nextFailure = undefined
      if (failure === 'unauthorized') throw new ProviderError('PROVIDER_AUTH', 'Memory rejected the API key.', { status: 401 })
      if (failure === 'rate-limited') throw new ProviderError('PROVIDER_RATE_LIMITED', 'Memory is rate limiting.', { status: 429, retryAfterMs: 1000 })
      if (failure === 'unavailable') throw new ProviderError('PROVIDER_UNAVAILABLE', 'Memory is unavailable.', { status: 503 })
      if (failure === 'hang') await abortion(request.signal)
      return { text: 'Hello.', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 1 } }
    }
  }
  return {
    definition: defineProvider({
      id: 'memory',
      label: 'Memory (test double)',
      hosts: ['api.memory.example'],
      create: () => ({ ...implementation, ...change(implementation) })
    }),
    // Never called: the kit only needs one to hand over.
    baseUrl: 'http://127.0.0.1:9',
    goodKey: MEMORY_GOOD_KEY,
    modelId: 'memory-1',
    scenarios: { failNext: failure => { nextFailure = failure } },
    rateLimitRetryAfterMs: 1000
  }
}

/** Rejects with PROVIDER_TIMEOUT when `signal` fires, as a provider whose vendor never answers must. */
function abortion (signal: AbortSignal): Promise<never> {
  const timedOut = () => new ProviderError('PROVIDER_TIMEOUT', 'The provider did not answer in time.')
  if (signal.aborted) return Promise.reject(timedOut())
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(timedOut()), { once: true }))
}
