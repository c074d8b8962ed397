import { runOnPostgres } from './suites.ts'

// The route suites that store or read something: what a provider answers, how a request is signed or throttled
// in memory, is the same whichever database is behind it, and runs once, on SQLite.

await runOnPostgres([
  'hubspot/plugin.test.ts',
  'routes/admin-budget.test.ts',
  'routes/admin-session-token.test.ts',
  'routes/audit.test.ts',
  'routes/admin-connections.test.ts',
  'routes/custom-llm-execute.test.ts',
  'routes/custom-llm-options.test.ts',
  'routes/execution-costs.test.ts',
  'routes/metrics.test.ts',
  'routes/metrics-executions.test.ts',
  'routes/portals-list.test.ts',
  'routes/record-placeholders.test.ts',
  'routes/tenant-isolation.test.ts',
  'routes/unreadable-keys.test.ts',
  'routes/usage-reports.test.ts',
  'routes/workflow.test.ts'
])
