import type { ErrorCode } from '../../../plugins/errors.ts'

/** The execution error codes of contract §3.5: each gets its own execution rule, in this order. */
export const EXECUTION_ERROR_CODES = [
  'PROVIDER_NOT_CONNECTED',
  'PROVIDER_UNKNOWN',
  'MODEL_NOT_ALLOWED',
  'PROVIDER_AUTH',
  'PROVIDER_QUOTA',
  'PROVIDER_REJECTED',
  'PROVIDER_TIMEOUT',
  'OUTPUT_FORMAT',
  'TEMPLATE_UNRESOLVED',
  'ASSISTANT_NOT_FOUND',
  'INVALID_INPUT',
  'KEY_UNREADABLE',
  'BUDGET_EXCEEDED'
] as const satisfies readonly ErrorCode[]
export type ExecutionErrorCode = typeof EXECUTION_ERROR_CODES[number]
