export interface FailureLimiterOptions {
  readonly limit: number
  readonly windowMs: number
  readonly maxClients: number
  readonly clock: () => number
}

export interface FailureLimiter {
  /** Seconds until `client` may try again, or undefined when it may try now. */
  retryAfterSeconds (client: string): number | undefined
  /** Counts one failure of `client` in its current window (a new window starts at its first failure). */
  fail (client: string): void
  /** How many clients are remembered. */
  size (): number
}

interface FailureWindow {
  readonly startedAt: number
  failures: number
}

/**
 * Failures per client in fixed windows that start at a client's first failure. The map keeps windows in the order
 * they started (a new window is inserted afresh), so the oldest are at its front: expired ones are dropped from there,
 * and when too many clients are remembered the oldest is evicted first.
 */
export function createFailureLimiter (options: FailureLimiterOptions): FailureLimiter {
  const windows = new Map<string, FailureWindow>()
  const isOver = (window: FailureWindow, now: number) => now >= window.startedAt + options.windowMs

  function dropExpired (now: number): void {
    for (const [client, window] of windows) {
      if (!isOver(window, now)) return
      windows.delete(client)
    }
  }

  return {
    retryAfterSeconds (client) {
      const now = options.clock()
      const window = windows.get(client)
      if (window === undefined || isOver(window, now) || window.failures < options.limit) return undefined
      return Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1000))
    },

    fail (client) {
      const now = options.clock()
      dropExpired(now)
      const window = windows.get(client)
      if (window !== undefined) {
        window.failures++
        return
      }
      windows.set(client, { startedAt: now, failures: 1 })
      for (const oldest of windows.keys()) {
        if (windows.size <= options.maxClients) break
        windows.delete(oldest)
      }
    },

    size () {
      return windows.size
    }
  }
}
