import { runOnPostgres } from './suites.ts'

await runOnPostgres([
  'engine/agent-runs.test.ts',
  'engine/back-pressure.test.ts',
  'engine/block-and-complete.test.ts',
  'engine/budget-check.test.ts',
  'engine/call-step.test.ts',
  'engine/fallback.test.ts',
  'engine/prepare-step.test.ts',
  'engine/record-step.test.ts',
  'engine/resume.test.ts',
  'faults/hubspot-callback-down.test.ts',
  'faults/provider-faults.test.ts'
])
