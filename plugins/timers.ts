/**
 * Runs `run` once, `delayMs` from now on the service's clock; the returned function cancels it. Waits that outlast
 * any request (the completion queue's retries, up to minutes apart) go through one, so a test that moves the clock
 * by hand moves them with it instead of waiting in real time.
 */
export type SetTimer = (run: () => void, delayMs: number) => () => void

/** Real time. The timer does not hold the process open: what waits on it is kept in the database. */
export const realTimer: SetTimer = (run, delayMs) => {
  const timer = setTimeout(run, delayMs)
  timer.unref()
  return () => { clearTimeout(timer) }
}
