import type { Executor } from './driver.ts'

export const CHANGE_TOPICS = ['connection', 'assistant', 'budget', 'session'] as const
export type ChangeTopic = typeof CHANGE_TOPICS[number]

/** A committed change to a portal's stored state, for the instances that keep some of it in memory. */
export interface Change {
  readonly topic: ChangeTopic
  readonly portalId: number
  readonly provider?: string
}

/** `all`: changes may have been missed (the feed was cut), so every cache must be dropped. */
export type ChangeNotice = Change | { readonly topic: 'all' }
export type ChangeListener = (notice: ChangeNotice) => void

/**
 * This process's listeners to the change feed. A change published inside a transaction reaches them only once the
 * transaction committed (a rolled back one never): a reader told earlier could cache what the commit is about to change.
 */
export function createChangeFeed () {
  const listeners = new Set<ChangeListener>()
  const openTransactions = new WeakMap<Executor, Change[]>()

  function emit (notice: ChangeNotice): void {
    for (const listener of [...listeners]) {
      // A listener that throws must not keep the others (or the publishing write) from going on.
      try { listener(notice) } catch {}
    }
  }

  return {
    emit,

    subscribe (listener: ChangeListener): () => void {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },

    /** Tells the listeners of `change` now, or when `executor`'s transaction commits. */
    published (executor: Executor, change: Change): void {
      const pending = openTransactions.get(executor)
      if (pending === undefined) emit(change)
      else pending.push(change)
    },

    /**
     * Runs a transaction through `open`, which must pass its executor through `enlist`; the changes published on it
     * are told once `open` resolved.
     */
    async transaction<T> (open: (enlist: (executor: Executor) => Executor) => Promise<T>): Promise<T> {
      const pending: Change[] = []
      const result = await open(executor => { openTransactions.set(executor, pending); return executor })
      for (const change of pending) emit(change)
      return result
    }
  }
}

export type ChangeFeed = ReturnType<typeof createChangeFeed>
