import type * as OpenAISdk from 'openai'
import { lazyModule, type LazyModule } from '../lazy-module.ts'

/** The `openai` SDK, imported by the first call of any provider speaking OpenAI's wire format (see lazy-module.ts). */
export const loadOpenAISdk: LazyModule<typeof OpenAISdk> = lazyModule(() => import('openai'))
