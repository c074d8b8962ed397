import type { SetTimer } from '../../plugins/timers.ts'

/**
 * A clock the test moves by hand, with the timer that goes with it: given as AppOptions.clock and .setTimer, the
 * service's long waits (the completion queue's retries) fire only when the test moves time to them, so minutes pass
 * at once.
 */
export interface ManualClock {
  (): number
  readonly setTimer: SetTimer
  /** When the earliest waiting timer is due; undefined when nothing waits. */
  nextTimerAt (): number | undefined
  /** Moves the time to the earliest waiting timer (never backwards) and runs it. */
  runNext (): void
}

export function manualClock (start: number): ManualClock {
  let now = start
  let sequence = 0
  const waiting: Array<{ readonly at: number, readonly order: number, readonly run: () => void }> = []
  // Timers due at the same moment run in the order they were set, as Node's do.
  const earliest = () => [...waiting].sort((a, b) => a.at - b.at || a.order - b.order)[0]
  const clock = () => now
  return Object.assign(clock, {
    setTimer: ((run, delayMs) => {
      const timer = { at: now + Math.max(0, delayMs), order: sequence++, run }
      waiting.push(timer)
      return () => { const index = waiting.indexOf(timer); if (index >= 0) waiting.splice(index, 1) }
    }) satisfies SetTimer,
    nextTimerAt: () => earliest()?.at,
    runNext () {
      const timer = earliest()
      if (timer === undefined) return
      waiting.splice(waiting.indexOf(timer), 1)
      now = Math.max(now, timer.at)
      timer.run()
    }
  })
}
