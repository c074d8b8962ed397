/** One promise the service relies on, and whether the provider kept it. */
export interface ConformanceCheck {
  /** What the provider must do, as a sentence. The same for every run, so tests and CI logs can name it. */
  readonly name: string
  readonly passed: boolean
  /** Why it failed, as one sentence of what was expected and what came instead. Never holds key text. */
  readonly reason?: string
  readonly durationMs: number
}

/** What `runProviderConformance` resolves: plain data, safe to print or `JSON.stringify` in CI logs. */
export interface ConformanceReport {
  /** The definition's id as declared, when it declared one as a string. */
  readonly provider?: string
  /** True when every check passed. */
  readonly passed: boolean
  /** In the order they ran. */
  readonly checks: readonly ConformanceCheck[]
  readonly durationMs: number
}

/**
 * The report as text for a terminal or a CI log: a headline, then a line per check, each failure followed by
 * its reason. Handy as an assertion message: `assert.ok(report.passed, formatConformanceReport(report))`.
 */
export function formatConformanceReport (report: ConformanceReport): string {
  const passed = report.checks.filter(check => check.passed).length
  const provider = report.provider === undefined ? 'a definition without an id' : `"${report.provider}"`
  const lines = [`Provider conformance of ${provider}: ${passed} of ${report.checks.length} checks passed` +
    ` in ${Math.round(report.durationMs)} ms${report.passed ? '.' : ', so it does not conform.'}`]
  for (const check of report.checks) {
    lines.push(`  ${check.passed ? 'pass' : 'FAIL'}  ${check.name}`)
    if (!check.passed && check.reason !== undefined) lines.push(`        ${check.reason}`)
  }
  return lines.join('\n')
}
