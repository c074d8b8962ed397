import { runOnPostgres } from './suites.ts'

await runOnPostgres([
  'hubspot/plugin.test.ts',
  'routes/admin-budget.test.ts',
  'routes/audit.test.ts',
  'routes/admin-connections.test.ts',
  'routes/admin-throttle.test.ts',
  'routes/connect-key-characters.test.ts',
  'routes/custom-llm-execute.test.ts',
  'routes/custom-llm-options.test.ts',
  'routes/empty-answers.test.ts',
  'routes/execution-costs.test.ts',
  'routes/execution-limits.test.ts',
  'routes/metrics.test.ts',
  'routes/metrics-executions.test.ts',
  'routes/portals-list.test.ts',
  'routes/provider-error-text.test.ts',
  'routes/provider-plugin-errors.test.ts',
  'routes/provider-redirects.test.ts',
  'routes/providers-end-to-end.test.ts',
  'routes/record-placeholders.test.ts',
  'routes/request-id.test.ts',
  'routes/signature-order.test.ts',
  'routes/tenant-isolation.test.ts',
  'routes/unreadable-keys.test.ts',
  'routes/usage-reports.test.ts',
  'routes/workflow.test.ts'
])
