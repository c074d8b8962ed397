/**
 * Statements an app runs on its own timers, not for the execution a test is counting the statements of: the lease
 * keeper's looks and heartbeats, the completion queue's rounds (pending completions only), the economy queue's ticks,
 * and on a shared database the rate limit's counter, which every request takes.
 */
export const BACKGROUND_STATEMENT = new RegExp([
  /"lease_expires_at" (is null|<)/,
  /^select min\(/,
  /"instances"/,
  /^update "executions" set "lease_expires_at" = /,
  /"rate_limit_counters"/,
  /"economy_batches"/,
  /where .*"executions"\."(completion_state" = 'pending'|economy_state")/
].map(part => part.source).join('|'), 'i')
