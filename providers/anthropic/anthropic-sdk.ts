import type * as AnthropicSdk from '@anthropic-ai/sdk'
import { lazyModule, type LazyModule } from '../lazy-module.ts'

/** `@anthropic-ai/sdk`, imported by the provider's first call (see lazy-module.ts). */
export const loadAnthropicSdk: LazyModule<typeof AnthropicSdk> = lazyModule(() => import('@anthropic-ai/sdk'))
