import type { Execution } from '../api-types.ts'
import { count, dateTime, latency, money } from '../format.ts'
import { economyText } from './economy-text.ts'

interface ExecutionRowProps {
  readonly execution: Execution
  readonly providerLabel: string | undefined
  readonly resending: boolean
  readonly onResend: () => void
}

const COMPLETION_TEXT = { pending: 'HubSpot callback pending', delivered: 'Sent to HubSpot', failed: 'HubSpot callback failed' } as const

export function ExecutionRow ({ execution, providerLabel, resending, onResend }: ExecutionRowProps) {
  const completion = execution.completion
  const tokens = execution.inputTokens === null && execution.outputTokens === null
    ? '—'
    : `${count(execution.inputTokens)} in / ${count(execution.outputTokens)} out`
  const error = [execution.errorCode, execution.errorMessage].filter(part => part !== null).join(': ')
  const economy = economyText(execution)

  return (
    <tr>
      <td data-label='Time'><time id={`execution-${execution.id}-time`} dateTime={execution.startedAt}>{dateTime(execution.startedAt)}</time></td>
      <td data-label='Action'>{execution.action}</td>
      <td data-label='Provider'>{execution.provider === null ? '—' : providerLabel ?? execution.provider}</td>
      <td data-label='Model' class='break'>{execution.model ?? '—'}</td>
      <td data-label='Status'>
        <span class={`badge badge-${execution.status}`}>{execution.status}</span>
        {completion === null
          ? null
          : (
            <span class='completion'>
              {COMPLETION_TEXT[completion.state]}
              {completion.state === 'failed' && completion.error !== null ? `: ${completion.error}` : ''}
            </span>
            )}
        {economy === undefined ? null : <span class='completion'>{economy}</span>}
        {completion?.state === 'failed'
          ? (
            <button type='button' class='small' onClick={onResend} disabled={resending} aria-describedby={`execution-${execution.id}-time`}>
              {resending ? 'Resending…' : 'Resend'}
            </button>
            )
          : null}
      </td>
      <td data-label='Error' class='break'>{error === '' ? '—' : error}</td>
      <td data-label='Tokens'>{tokens}</td>
      <td data-label='Cost'>{execution.costUsd === null ? (execution.inputTokens === null ? '—' : 'unknown') : money(execution.costUsd)}</td>
      <td data-label='Latency'>{latency(execution.latencyMs)}</td>
    </tr>
  )
}
