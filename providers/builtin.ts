import type { ProviderDefinition } from './contract.ts'
import openai from './openai/index.ts'

/** The providers that ship with the service, in the order the admin page lists them. */
export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [openai]
