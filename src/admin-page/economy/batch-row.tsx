import type { EconomyBatch } from '../api-types.ts'
import { count, dateTime } from '../format.ts'

const STATE_TEXT: Readonly<Record<string, string>> = { submitting: 'being sent', submitted: 'at the provider', done: 'done', abandoned: 'abandoned' }

/** One provider batch: where it is, the provider's own id and word for it, and what became of its items. */
export function BatchRow ({ batch, providerLabel }: { readonly batch: EconomyBatch, readonly providerLabel: string | undefined }) {
  const vendorState = batch.vendorState === null ? '' : ` (${batch.vendorState})`
  return (
    <tr>
      <td data-label='Created'><time dateTime={batch.createdAt}>{dateTime(batch.createdAt)}</time></td>
      <td data-label='Provider'>{providerLabel ?? batch.provider}</td>
      <td data-label='Model' class='break'>{batch.model}</td>
      <td data-label='State'>
        <span class={`badge badge-batch-${batch.state}`}>{STATE_TEXT[batch.state] ?? batch.state}</span>{vendorState}
      </td>
      <td data-label='Provider batch' class='break'>{batch.vendorBatchId ?? '—'}</td>
      <td data-label='Items'>{count(batch.items)}</td>
      <td data-label='Answered'>{count(batch.answered)}</td>
      <td data-label='Run as standard'>{count(batch.ranStandard)}</td>
      <td data-label='Error' class='break'>{batch.error ?? '—'}</td>
    </tr>
  )
}
