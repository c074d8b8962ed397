import type { ExecutionStart } from '../../db/repositories/executions-repository.ts'

const DAY_MS = 24 * 60 * 60_000
let sequence = 0

/** A claim as the engine writes one, each with a callbackId and prompt never used before; expiring a day after it starts. */
export function executionStart (portalId: number, startedAt: number, overrides: Partial<ExecutionStart> = {}): ExecutionStart {
  sequence++
  return {
    portalId,
    action: 'custom-llm',
    callbackId: `callback-${sequence}`,
    startedAt,
    request: JSON.stringify({ inputFields: { prompt: `prompt ${sequence}` } }),
    expiresAt: startedAt + DAY_MS,
    ...overrides
  }
}
