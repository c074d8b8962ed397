import type { Driver } from '../driver.ts'

/**
 * `Driver.withLock` on SQLite, which serves one instance: a lock per name in this process, its holders one after
 * another in the order they asked.
 */
export function createProcessLock (): Driver['withLock'] {
  /** Per name, when its last holder so far is done (never rejects); absent once nobody holds or waits. */
  const tails = new Map<string, Promise<void>>()
  return async function withLock<T> (name: string, body: () => Promise<T>): Promise<T> {
    const previous = tails.get(name) ?? Promise.resolve()
    const running = previous.then(body)
    const tail = running.then(() => undefined, () => undefined)
    tails.set(name, tail)
    try {
      return await running
    } finally {
      if (tails.get(name) === tail) tails.delete(name)
    }
  }
}
