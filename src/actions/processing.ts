/**
 * How an execution is answered (contract §3.1 `processing`): `standard` calls the provider at once and answers
 * within SYNC_BUDGET_MS or completes later through the callback API; `economy` is answered BLOCK at once and goes
 * through the provider's batch API at its batch price, completed within about 24 hours. The engine runs economy as
 * standard where the provider has no batch API or the portal cannot be called back (not installed via OAuth).
 */
export const PROCESSING_MODES = ['standard', 'economy'] as const
export type Processing = typeof PROCESSING_MODES[number]

/** An empty or missing field: what every execution did before the field existed. */
export const DEFAULT_PROCESSING: Processing = 'standard'
