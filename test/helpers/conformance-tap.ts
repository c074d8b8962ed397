import type { Test } from 'tap'
import { runProviderConformance, type ConformanceOptions, type ConformanceReport } from '../../providers/testing/index.ts'

/**
 * The tap adapter for the runner-agnostic kit: runs it and asserts each check as its own point, so a failure
 * names the check in tap's output with the kit's reason beside it. Resolves the report for further assertions.
 * No `at` or `stack` in the diagnostics: they would always point at this loop, never at the provider.
 */
export async function assertConformance (t: Test, options: ConformanceOptions): Promise<ConformanceReport> {
  const report = await runProviderConformance(options)
  for (const check of report.checks) t.ok(check.passed, check.name, check.passed ? {} : { reason: check.reason, at: null, stack: '' })
  return report
}
