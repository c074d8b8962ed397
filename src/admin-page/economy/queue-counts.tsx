import { Fragment } from 'preact'
import type { EconomyQueue } from '../api-types.ts'
import { count } from '../format.ts'

const STATES: ReadonlyArray<{ readonly key: keyof EconomyQueue, readonly label: string }> = [
  { key: 'waiting', label: 'Waiting for a batch' },
  { key: 'batched', label: 'In a batch' },
  { key: 'answered', label: 'Answered, being completed' },
  { key: 'standard', label: 'Running as standard calls' }
]

/** The portal's unfinished economy executions, by where they are. */
export function QueueCounts ({ queue }: { readonly queue: EconomyQueue }) {
  return (
    <section aria-labelledby='economy-queue-heading'>
      <h3 id='economy-queue-heading'>Queue</h3>
      <dl class='facts'>
        {STATES.map(state => (
          <Fragment key={state.key}>
            <dt>{state.label}</dt>
            <dd>{count(queue[state.key])}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  )
}
