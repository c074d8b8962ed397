import { useState } from 'preact/hooks'
import { ApiError, api, errorMessage, portalPath } from '../api.ts'
import type { Budget, BudgetInput } from '../api-types.ts'
import { FieldError, describedBy } from '../field-error.tsx'
import { money, moneyLimit } from '../format.ts'

interface BudgetFormProps {
  readonly portalId: number
  readonly budget: Budget
  readonly onSaved: (budget: Budget) => void
}

type Field = 'limit' | 'warn' | 'timeZone'
type Errors = Partial<Record<Field | 'form', string>>

function fieldOf (message: string): Field | undefined {
  if (/monthlyLimitUsd/i.test(message)) return 'limit'
  if (/warnAtPercent/i.test(message)) return 'warn'
  if (/time ?zone/i.test(message)) return 'timeZone'
  return undefined
}

/** The portal's monthly limit: executions that would pass it fail with BUDGET_EXCEEDED. */
export function BudgetForm ({ portalId, budget, onSaved }: BudgetFormProps) {
  const [limit, setLimit] = useState(budget.monthlyLimitUsd === null ? '' : String(budget.monthlyLimitUsd))
  const [warn, setWarn] = useState(budget.warnAtPercent === null ? '' : String(budget.warnAtPercent))
  const [timeZone, setTimeZone] = useState(budget.timeZone ?? '')
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<string | undefined>(undefined)

  const send = async (body: BudgetInput | null, done: string) => {
    setBusy(true)
    setStatus(undefined)
    try {
      const saved = await api.put<Budget>(portalPath(portalId, 'budget'), body)
      onSaved(saved)
      if (body === null) { setLimit(''); setWarn(''); setTimeZone('') }
      setErrors({})
      setStatus(done)
    } catch (caught) {
      const message = errorMessage(caught)
      const field = caught instanceof ApiError && caught.code === 'INVALID_INPUT' ? fieldOf(message) : undefined
      setErrors(field === undefined ? { form: message } : { [field]: message })
    } finally {
      setBusy(false)
    }
  }

  const save = (event: Event) => {
    event.preventDefault()
    const found: Errors = {}
    const limitValue = Number(limit)
    if (limit.trim() === '') found.limit = 'Enter the monthly limit in USD.'
    else if (!Number.isFinite(limitValue) || limitValue <= 0) found.limit = 'The limit is an amount of USD above 0.'
    const warnValue = Number(warn)
    if (warn.trim() !== '' && (!Number.isInteger(warnValue) || warnValue < 1 || warnValue > 100)) found.warn = 'A whole percentage from 1 to 100, or empty.'
    setErrors(found)
    setStatus(undefined)
    const first = (['limit', 'warn'] as const).find(field => found[field] !== undefined)
    if (first !== undefined) {
      document.getElementById(`budget-${first}`)?.focus()
      return
    }
    void send({ monthlyLimitUsd: limitValue, warnAtPercent: warn.trim() === '' ? null : warnValue, timeZone: timeZone.trim() === '' ? null : timeZone.trim() }, 'Budget saved')
  }

  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone
  return (
    <form class='card form budget' onSubmit={save} noValidate>
      <h3 id='budget-heading'>Monthly budget</h3>
      <p>
        {budget.monthlyLimitUsd === null
          ? 'No budget: spending is not limited.'
          : `${moneyLimit(budget.monthlyLimitUsd)} for ${budget.month}; ${budget.remainingUsd === null ? '' : `${money(budget.remainingUsd)} left`}.`}
      </p>
      <div class='field-row'>
        <div class='field'>
          <label for='budget-limit'>Monthly limit (USD)</label>
          <input id='budget-limit' type='number' inputMode='decimal' min={0} step='any' value={limit} onInput={event => { setLimit(event.currentTarget.value) }} {...describedBy('budget-limit', errors.limit, true)} />
          <FieldError id='budget-limit' message={errors.limit} />
          <p id='budget-limit-hint' class='hint'>Executions that would pass it fail with BUDGET_EXCEEDED.</p>
        </div>
        <div class='field'>
          <label for='budget-warn'>Warn at (%)</label>
          <input id='budget-warn' type='number' inputMode='numeric' min={1} max={100} step={1} value={warn} onInput={event => { setWarn(event.currentTarget.value) }} {...describedBy('budget-warn', errors.warn, true)} />
          <FieldError id='budget-warn' message={errors.warn} />
          <p id='budget-warn-hint' class='hint'>Optional: one warning a month in the log at this share.</p>
        </div>
        <div class='field'>
          <label for='budget-timeZone'>Time zone</label>
          <input id='budget-timeZone' type='text' autocomplete='off' spellcheck={false} placeholder={localZone} value={timeZone} onInput={event => { setTimeZone(event.currentTarget.value) }} {...describedBy('budget-timeZone', errors.timeZone, true)} />
          <FieldError id='budget-timeZone' message={errors.timeZone} />
          <p id='budget-timeZone-hint' class='hint'>Whose calendar months count, e.g. Europe/Paris; empty for UTC.</p>
        </div>
      </div>
      {errors.form === undefined ? null : <p class='error' role='alert'>{errors.form}</p>}
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>Save budget</button>
        <button type='button' class='danger' disabled={busy} onClick={() => { setErrors({}); void send(null, 'Budget removed') }}>Remove budget</button>
        {status === undefined ? null : <p class='success' role='status'>{status}</p>}
      </div>
    </form>
  )
}
