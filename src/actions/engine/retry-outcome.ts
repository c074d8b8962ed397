import { ERROR_CATALOGUE, type ErrorCode } from '../../../plugins/errors.ts'
import type { ExecutionOutcome } from './types.ts'

/** Codes HubSpot should retry on (the HTTP status says how), as long as it can still be asked to. */
export const RETRY_STATUS: Readonly<Partial<Record<ErrorCode, 429 | 503>>> = {
  // Not spent, only held by calls still running: the budget is free again once they end.
  BUDGET_HELD: 429,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  STORAGE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  // Our own unexpected failure: HubSpot retries 5xx, so a passing fault heals; the cause is in the log.
  INTERNAL: 503
}

export type RetryCode = keyof typeof RETRY_STATUS
export type RetryOutcome = Extract<ExecutionOutcome, { kind: 'retry' }>

/**
 * The one way an execution is handed back to HubSpot for a retry: the status from RETRY_STATUS, and the catalogue's
 * message unless the situation has a more precise one.
 */
export function retryOutcome (code: RetryCode, retryAfterSeconds: number, message?: string): RetryOutcome {
  return { kind: 'retry', statusCode: RETRY_STATUS[code] ?? 503, retryAfterSeconds, code, message: message ?? ERROR_CATALOGUE[code].message }
}
