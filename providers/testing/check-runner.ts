import type { ConformanceCheck } from './conformance-report.ts'

/**
 * A check's body: the problems it found, each a phrase of what was expected and what came instead (`expected
 * PROVIDER_AUTH, got PROVIDER_REJECTED`); none when the provider kept the promise.
 */
export type CheckBody = () => readonly string[] | Promise<readonly string[]>

export interface CheckRunnerOptions {
  /** After this long a check counts as failed, and the run goes on. */
  readonly timeoutMs: number
  /** Applied to every name and reason, so the report never carries key text whatever the provider threw. */
  readonly redact: (text: string) => string
  /** Sees whatever a check threw, before it becomes a reason (the canary looks at it). */
  readonly onThrown: (error: unknown, checkName: string) => void
}

/**
 * Runs checks one after the other (the stub's scenarios depend on order) and records each as a
 * `ConformanceCheck`. A check that throws or overruns is a failed check with the reason why; it never ends the run.
 */
export class CheckRunner {
  readonly checks: ConformanceCheck[] = []
  private readonly options: CheckRunnerOptions

  constructor (options: CheckRunnerOptions) {
    this.options = options
  }

  /**
   * Resolves whether the check passed. `extraMs` lengthens this check's deadline, for one that waits on purpose
   * (a batch polled until it ends).
   */
  async run (name: string, body: CheckBody, extraMs = 0): Promise<boolean> {
    const started = performance.now()
    let problems: readonly string[]
    try {
      problems = await withDeadline(body, this.options.timeoutMs + extraMs)
    } catch (error) {
      if (error instanceof CheckOverran) {
        problems = [`expected the check to finish within ${error.timeoutMs} ms, but it was still waiting on the provider (does a call ignore its signal?)`]
      } else {
        this.options.onThrown(error, name)
        problems = [`expected the check to run to the end, but it threw ${describe(error)}`]
      }
    }
    const passed = problems.length === 0
    this.checks.push({
      name: this.options.redact(name),
      passed,
      ...(passed ? {} : { reason: this.options.redact(sentence(problems)) }),
      durationMs: Math.round(performance.now() - started)
    })
    return passed
  }
}

/** A thrown value as a reason quotes it: `TypeError: fetch failed`. */
export function describe (error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return `an object with the message "${(error as { message: string }).message}"`
  }
  return `${typeof error} ${String(error)}`
}

/** Phrases as one sentence: capitalised, joined by semicolons, ending in a full stop. */
function sentence (problems: readonly string[]): string {
  const text = problems.join('; ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.?!]$/.test(text) ? '' : '.'}`
}

class CheckOverran extends Error {
  readonly timeoutMs: number

  constructor (timeoutMs: number) {
    super(`the check did not finish within ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

async function withDeadline<T> (body: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new CheckOverran(timeoutMs)), timeoutMs)
  })
  try {
    return await Promise.race([Promise.resolve().then(body), deadline])
  } finally {
    clearTimeout(timer)
  }
}
