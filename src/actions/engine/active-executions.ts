import type { ExecutionOutcome } from './types.ts'
import type { RunningJob } from './run-job.ts'

/** One execution this instance is working on. */
export interface ActiveExecution {
  /** The run under way, if one is (none while it waits to run again, or its outcome waits to be written). */
  job?: RunningJob
  /** The answer for a delivery still waiting: the first run's outcome. */
  first?: Promise<ExecutionOutcome>
  /** Settles when nothing more will happen to this execution in this process. */
  readonly done: Promise<void>
  /** HubSpot was answered BLOCK and waits for the callback completion. */
  blocked?: boolean
}

export interface ActiveExecutions {
  /** Registers an execution; `finish` removes it and settles its `done`, once. */
  add (executionId: number): { readonly entry: ActiveExecution, readonly finish: () => void }
  get (executionId: number): ActiveExecution | undefined
  has (executionId: number): boolean
  /** Marks it answered BLOCK; true the first time only, so a duplicate delivery is not a second BLOCK for the counts. */
  markBlocked (executionId: number): boolean
  ids (): IterableIterator<number>
  readonly size: number
  /** How many HubSpot was answered BLOCK for. */
  blocked (): number
  /** Settles when every execution active now is done. */
  allDone (): Promise<void>
  /** Stops every run under way with `reason`, and settles when they have stopped or `withinMs` passed. */
  abortAll (reason: unknown, withinMs: number): Promise<void>
}

/** The executions this instance is working on: what the lease keeper renews, a shutdown waits for, a scrape counts. */
export function createActiveExecutions (): ActiveExecutions {
  const active = new Map<number, ActiveExecution>()
  return {
    add (executionId) {
      let settleDone: () => void = () => undefined
      const entry: ActiveExecution = { done: new Promise<void>(resolve => { settleDone = resolve }) }
      active.set(executionId, entry)
      return {
        entry,
        finish () {
          if (active.get(executionId) === entry) active.delete(executionId)
          settleDone()
        }
      }
    },
    get: executionId => active.get(executionId),
    has: executionId => active.has(executionId),
    markBlocked (executionId) {
      const entry = active.get(executionId)
      if (entry === undefined || entry.blocked === true) return false
      entry.blocked = true
      return true
    },
    ids: () => active.keys(),
    get size () { return active.size },
    blocked () {
      let count = 0
      for (const entry of active.values()) if (entry.blocked === true) count++
      return count
    },
    async allDone () { await Promise.all([...active.values()].map(entry => entry.done)) },
    async abortAll (reason, withinMs) {
      const left = [...active.values()]
      for (const entry of left) entry.job?.abort(reason)
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.all(left.map(entry => entry.job?.result)), new Promise(resolve => { timer = setTimeout(resolve, withinMs) })])
      clearTimeout(timer)
    }
  }
}
