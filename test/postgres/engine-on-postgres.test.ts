import { runOnPostgres } from './suites.ts'

// The engine suites that run a service on the store: the provider-call, prepare and record step tests never open
// one, and the provider faults are the provider's, not the database's; those run once, on SQLite.

await runOnPostgres([
  'engine/agent-runs.test.ts',
  'engine/back-pressure.test.ts',
  'engine/block-and-complete.test.ts',
  'engine/budget-check.test.ts',
  'engine/economy.test.ts',
  'engine/economy-faults.test.ts',
  'engine/fallback.test.ts',
  'engine/resume.test.ts',
  'faults/hubspot-callback-down.test.ts'
])
