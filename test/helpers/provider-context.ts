import type { ProviderContext, ProviderDefinition, LlmProvider, ProviderLogger } from '../../providers/contract.ts'
import { createLeanFetch } from '../../providers/lean-fetch.ts'
import { createProviderRegistry } from '../../providers/registry.ts'

export interface CapturedLogger extends ProviderLogger {
  readonly lines: string[]
}

export function captureLogger (): CapturedLogger {
  const lines: string[] = []
  const write = (object: object, message?: string) => { lines.push(JSON.stringify({ ...object, message })) }
  return { lines, debug: write, info: write, warn: write }
}

/** The fetch providers get in production, shared by the tests that build providers. */
const leanFetch = createLeanFetch()

/** Builds one provider through the real registry, pointed at a stub, with the fetches production gives it. */
export function buildProvider (definition: ProviderDefinition, context: Partial<ProviderContext> = {}): LlmProvider {
  const registry = createProviderRegistry([{ definition, origin: `test ${definition.id}` }], () => ({
    fetch: leanFetch,
    resultsFetch: globalThis.fetch,
    // Room for an SDK's first load on a loaded two-core machine; tests of timeouts give their own.
    timeoutMs: 15_000,
    log: captureLogger(),
    ...context
  }))
  const provider = registry.find(definition.id)
  if (provider === undefined) throw new Error('provider did not register')
  return provider
}

/** An AbortSignal for one call in a test. */
export function signal (milliseconds = 15_000): AbortSignal {
  return AbortSignal.timeout(milliseconds)
}
