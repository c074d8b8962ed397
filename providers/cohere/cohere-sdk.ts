import type * as CohereSdk from 'cohere-ai'
import { lazyModule, type LazyModule } from '../lazy-module.ts'

/** `cohere-ai`, imported by the provider's first call (see lazy-module.ts). */
export const loadCohereSdk: LazyModule<typeof CohereSdk> = lazyModule(() => import('cohere-ai'))
