import { AppError } from '../../../plugins/errors.ts'

/**
 * Back-pressure per provider connection: at most `concurrency` calls run at once on one connection (so a burst of
 * enrollments does not trip the vendor's own rate limits for that key), the rest wait in line, and the line is
 * bounded so memory is too. Work that HubSpot can still be asked to retry is refused once the line is full
 * (`mayRefuse`); work already accepted (BLOCKed, or resumed after a restart) always waits its turn instead.
 */
export interface ConnectionSlots {
  /** Resolves with a release function once a slot is free; rejects when aborted while waiting. */
  acquire (connectionId: number, options: { mayRefuse: boolean, signal: AbortSignal }): Promise<() => void>
  /** Calls running and waiting on one connection. */
  load (connectionId: number): { running: number, waiting: number }
  /** Calls waiting for a slot across every connection (read at scrape time, so it walks the lines). */
  waiting (): number
}

interface Line {
  running: number
  readonly waiting: Array<{ start: () => void, refusable: boolean }>
}

/** Seconds HubSpot is asked to wait when a connection's line is full: a few calls' worth. */
export const QUEUE_FULL_RETRY_SECONDS = 10

export interface ConnectionSlotsSettings {
  readonly concurrency: number
  readonly queueLimit: number
  /** Called when a full line refuses work (for the metrics; it must not throw). */
  readonly onRefused?: () => void
}

export function createConnectionSlots (settings: ConnectionSlotsSettings): ConnectionSlots {
  const lines = new Map<number, Line>()

  function release (connectionId: number, line: Line): void {
    line.running--
    const next = line.waiting.shift()
    if (next !== undefined) {
      line.running++
      next.start()
    } else if (line.running === 0) {
      lines.delete(connectionId)
    }
  }

  return {
    acquire (connectionId, options) {
      let line = lines.get(connectionId)
      if (line === undefined) {
        line = { running: 0, waiting: [] }
        lines.set(connectionId, line)
      }
      const current = line
      let released = false
      const releaseOnce = () => {
        if (released) return
        released = true
        release(connectionId, current)
      }
      if (current.running < settings.concurrency) {
        current.running++
        return Promise.resolve(releaseOnce)
      }
      if (options.mayRefuse && current.waiting.filter(entry => entry.refusable).length >= settings.queueLimit) {
        settings.onRefused?.()
        return Promise.reject(new AppError('RATE_LIMITED', `This provider connection already has ${settings.concurrency} calls running and ${settings.queueLimit} waiting; HubSpot will retry.`, { retryAfterSeconds: QUEUE_FULL_RETRY_SECONDS }))
      }
      // An aborted signal never fires 'abort' again: refuse now rather than hold a place in line for dead work.
      if (options.signal.aborted) return Promise.reject(options.signal.reason)
      return new Promise((resolve, reject) => {
        const entry = {
          refusable: options.mayRefuse,
          start: () => {
            options.signal.removeEventListener('abort', onAbort)
            resolve(releaseOnce)
          }
        }
        function onAbort (): void {
          const position = current.waiting.indexOf(entry)
          if (position >= 0) current.waiting.splice(position, 1)
          if (current.running === 0 && current.waiting.length === 0) lines.delete(connectionId)
          reject(options.signal.reason)
        }
        current.waiting.push(entry)
        options.signal.addEventListener('abort', onAbort, { once: true })
      })
    },

    load (connectionId) {
      const line = lines.get(connectionId)
      return { running: line?.running ?? 0, waiting: line?.waiting.length ?? 0 }
    },

    waiting () {
      let total = 0
      for (const line of lines.values()) total += line.waiting.length
      return total
    }
  }
}
