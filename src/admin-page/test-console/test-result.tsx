import { Fragment } from 'preact'
import type { InvokeResponse } from '../api-types.ts'
import { count, latency, money } from '../format.ts'

/** Typed answers beside the text one (contract §3.4). */
const TYPED_FIELDS = [
  ['responseNumber', 'Number'],
  ['responseBoolean', 'Yes or no'],
  ['responseChoice', 'Choice'],
  ['responseJson', 'JSON']
] as const

function numberOrNull (text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

export function TestResult ({ result }: { readonly result: InvokeResponse }) {
  const fields = result.outputFields
  const execution = result.execution
  const inputTokens = execution?.inputTokens ?? numberOrNull(fields.inputTokens)
  const outputTokens = execution?.outputTokens ?? numberOrNull(fields.outputTokens)
  const cost = execution === undefined ? numberOrNull(fields.costUsd) : execution.costUsd
  const adjustments = result.adjustments.length > 0 ? result.adjustments : execution?.adjustments ?? []
  const failed = result.state === 'FAIL_CONTINUE'

  return (
    <section class='card result' aria-label='Test result'>
      <h2>Result</h2>
      {failed
        ? (
          <div class='error' role='alert'>
            <p><strong>{fields.errorCode ?? execution?.errorCode ?? 'FAILED'}</strong></p>
            <p>{fields.errorMessage ?? execution?.errorMessage ?? 'The action failed.'}</p>
          </div>
          )
        : null}
      <dl class='facts'>
        {failed
          ? null
          : (
            <>
              <dt>Answer</dt>
              <dd><pre class='answer'>{fields.response ?? ''}</pre></dd>
              {TYPED_FIELDS.filter(([name]) => fields[name] !== undefined).map(([name, label]) => (
                <Fragment key={name}>
                  <dt>{label}</dt>
                  <dd><code>{fields[name]}</code></dd>
                </Fragment>
              ))}
            </>
            )}
        {fields.provider === undefined && execution?.provider == null
          ? null
          : <><dt>Answered by</dt><dd>{fields.provider ?? execution?.provider} {fields.model ?? execution?.model ?? ''}</dd></>}
        <dt>Input tokens</dt>
        <dd>{count(inputTokens)}</dd>
        <dt>Output tokens</dt>
        <dd>{count(outputTokens)}</dd>
        <dt>Cost</dt>
        <dd>{cost === null ? (execution === undefined ? '—' : 'unknown (no price for this model)') : money(cost)}</dd>
        <dt>Latency</dt>
        <dd>{latency(execution?.latencyMs)}</dd>
      </dl>
      {adjustments.length === 0
        ? (failed ? null : <p>Every setting was honoured.</p>)
        : (
          <>
            <h3>Settings not honoured</h3>
            <ul>
              {adjustments.map(adjustment => <li key={adjustment}>{adjustment}</li>)}
            </ul>
          </>
          )}
      {execution?.fallbackReason == null ? null : <p class='hint'>The fallback answered: {execution.fallbackReason}</p>}
      {result.executionId === undefined ? null : <p class='hint'>Recorded as execution {result.executionId}.</p>}
    </section>
  )
}
