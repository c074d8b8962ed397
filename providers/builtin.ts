import anthropic from './anthropic/index.ts'
import cohere from './cohere/index.ts'
import type { ProviderDefinition } from './contract.ts'
import gemini from './gemini/index.ts'
import openaiCompatible from './openai-compatible/index.ts'
import openai from './openai/index.ts'
import xai from './xai/index.ts'

/** The providers that ship with the service, in the order the admin page and HubSpot's dropdown list them. */
export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [openai, anthropic, cohere, xai, gemini, openaiCompatible]
