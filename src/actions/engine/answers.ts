import type { ExecutionRow } from '../../../db/repositories/executions-repository.ts'
import { retryOutcome } from './retry-outcome.ts'
import type { ExecutionOutcome, ExecutionRequest } from './types.ts'

/** How long HubSpot holds a BLOCKed enrollment for us (`hs_expiration_duration`); past it the execution is closed as expired. */
export const EXECUTION_EXPIRY_MS = 24 * 60 * 60_000
/** Said to a delivery that finds its execution still running where no BLOCK is possible (no OAuth install). */
const STILL_RUNNING_RETRY_SECONDS = 10

/** BLOCK, with HubSpot asked to wait until the execution's expiry (ISO 8601 duration, at least a second). */
export function blocked (executionId: number, expiresAt: number | null, now: number): ExecutionOutcome {
  const remainingMs = Math.max(1000, (expiresAt ?? now + EXECUTION_EXPIRY_MS) - now)
  return { kind: 'blocked', executionId, expirationDuration: `PT${Math.ceil(remainingMs / 1000)}S` }
}

export function stillRunning (): ExecutionOutcome {
  return retryOutcome('PROVIDER_UNAVAILABLE', STILL_RUNNING_RETRY_SECONDS, 'This execution is still running; its answer will be given to the next delivery.')
}

export function shuttingDown (): ExecutionOutcome {
  return retryOutcome('SHUTTING_DOWN', 30)
}

/** The request stored with an unfinished execution, to run its call again. */
export function parseRequest (row: ExecutionRow): ExecutionRequest | undefined {
  if (row.request === null) return undefined
  try {
    const stored = JSON.parse(row.request) as Pick<ExecutionRequest, 'inputFields' | 'object'>
    return { action: row.action, trigger: row.callbackId === null ? 'test' : 'workflow', portalId: row.portalId, ...(row.callbackId === null ? {} : { callbackId: row.callbackId }), inputFields: stored.inputFields, ...(stored.object === undefined ? {} : { object: stored.object }) }
  } catch {
    return undefined
  }
}

export function storageUnavailable (): ExecutionOutcome {
  return retryOutcome('STORAGE_UNAVAILABLE', 30)
}

/** A read that must not stop the engine: undefined when it fails (the database is unavailable). */
export async function safely<T> (read: () => Promise<T>): Promise<T | undefined> {
  try { return await read() } catch { return undefined }
}
