import type { ExecutionRow } from '../../../../db/repositories/executions-repository.ts'
import type { InvokeResult } from '../../../../providers/contract.ts'
import type { EconomyRun } from '../run-job.ts'

/** HubSpot is asked to wait two days for an economy execution (`hs_expiration_duration`), past the batch window. */
export const ECONOMY_EXPIRY_MS = 2 * 24 * 60 * 60_000

/** The custom id of an execution's request in its batch; the vendor hands it back with the result. */
export function customIdOf (executionId: number): string {
  return `execution-${executionId}`
}

/** The execution a result's custom id names, or undefined for one this service did not send. */
export function executionIdOf (customId: string): number | undefined {
  const match = /^execution-(\d{1,15})$/.exec(customId)
  return match === null ? undefined : Number(match[1])
}

/** A batch answer as it is stored on its execution until the outcome is written. */
export function storedAnswer (result: InvokeResult): string {
  return JSON.stringify(result)
}

/**
 * How an execution back from the economy queue runs: with its batch's answer, or as a standard call with the
 * reason why; undefined for any other execution (or an answer that cannot be read, which then runs as standard).
 */
export function economyRunOf (row: Pick<ExecutionRow, 'economyState' | 'economyAnswer' | 'economyNote'>): EconomyRun | undefined {
  if (row.economyState === 'answered' && row.economyAnswer !== null) {
    try {
      return { answer: JSON.parse(row.economyAnswer) as InvokeResult }
    } catch {
      return { note: 'Economy: the stored batch answer could not be read; it ran as a standard call.', flex: true }
    }
  }
  if (row.economyState === 'standard') return { note: row.economyNote ?? 'Economy: it ran as a standard call.', flex: true }
  return undefined
}
