import type * as GeminiSdk from '@google/genai'
import { lazyModule, type LazyModule } from '../lazy-module.ts'

/** `@google/genai`, imported by the provider's first call (see lazy-module.ts). */
export const loadGeminiSdk: LazyModule<typeof GeminiSdk> = lazyModule(() => import('@google/genai'))
