import type { KeyCheck } from './contract.ts'
import type { ProviderError } from './errors.ts'

/**
 * Runs a provider's cheapest authenticated call. A rejected key resolves `{valid:false}`; anything else (outage,
 * timeout, rate limit) is thrown, so a flaky vendor is never mistaken for a bad key.
 */
export async function checkKey (call: () => Promise<unknown>, mapError: (error: unknown) => ProviderError): Promise<KeyCheck> {
  try {
    await call()
    return { valid: true }
  } catch (error) {
    const mapped = mapError(error)
    if (mapped.code === 'PROVIDER_AUTH') return { valid: false, reason: mapped.message }
    throw mapped
  }
}
