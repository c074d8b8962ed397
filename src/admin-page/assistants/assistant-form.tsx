import { useState } from 'preact/hooks'
import { ApiError, api, errorMessage, portalPath } from '../api.ts'
import { REASONING_EFFORTS, type Assistant, type AssistantInput, type Model, type ReasoningEffort } from '../api-types.ts'
import { FieldError, describedBy } from '../field-error.tsx'

interface AssistantFormProps {
  readonly portalId: number
  readonly assistant: Assistant | undefined
  readonly models: Model[]
  readonly onSaved: (assistant: Assistant) => void
  readonly onCancel: () => void
}

type Field = 'name' | 'model' | 'instructions' | 'temperature' | 'reasoningEffort'
type Errors = Partial<Record<Field | 'form', string>>

/** Which field an API message is about; the most specific names first ("leave reasoningEffort empty"). */
const FIELD_WORDS: ReadonlyArray<readonly [Field, RegExp]> = [
  ['reasoningEffort', /reasoning/i],
  ['temperature', /temperature/i],
  ['instructions', /instructions/i],
  ['name', /body\.name\b/i],
  ['model', /model/i],
  ['name', /\bname\b/i]
]

export function fieldOf (message: string): Field | undefined {
  return FIELD_WORDS.find(([, pattern]) => pattern.test(message))?.[0]
}

export function AssistantForm ({ portalId, assistant, models, onSaved, onCancel }: AssistantFormProps) {
  const [name, setName] = useState(assistant?.name ?? '')
  const [model, setModel] = useState(assistant?.model ?? '')
  const [instructions, setInstructions] = useState(assistant?.instructions ?? '')
  const [temperature, setTemperature] = useState(assistant?.temperature === null || assistant === undefined ? '' : String(assistant.temperature))
  const [effort, setEffort] = useState<ReasoningEffort | ''>(assistant?.reasoningEffort ?? '')
  const [errors, setErrors] = useState<Errors>({})
  const [busy, setBusy] = useState(false)
  const capabilities = models.find(known => known.id === model.trim())?.capabilities

  const check = (): Errors => {
    const found: Errors = {}
    if (name.trim() === '') found.name = 'Enter a name.'
    if (model.trim() === '') found.model = 'Enter a model, such as gpt-4o-mini.'
    if (temperature.trim() !== '') {
      const value = Number(temperature)
      if (!Number.isFinite(value) || value < 0 || value > 2) found.temperature = 'The temperature is a number from 0 to 2, or empty for the model\'s default.'
    }
    return found
  }

  const submit = async (event: Event) => {
    event.preventDefault()
    const found = check()
    setErrors(found)
    const first = (['name', 'model', 'temperature'] as const).find(field => found[field] !== undefined)
    if (first !== undefined) {
      document.getElementById(`assistant-${first}`)?.focus()
      return
    }
    const body: AssistantInput = {
      name: name.trim(),
      model: model.trim(),
      instructions,
      temperature: temperature.trim() === '' ? null : Number(temperature),
      reasoningEffort: effort === '' ? null : effort
    }
    setBusy(true)
    try {
      onSaved(assistant === undefined
        ? await api.post<Assistant>(portalPath(portalId, 'assistants'), body)
        : await api.put<Assistant>(portalPath(portalId, 'assistants', assistant.id), body))
    } catch (caught) {
      const message = errorMessage(caught)
      const field = caught instanceof ApiError && caught.code === 'INVALID_INPUT' ? fieldOf(message) : undefined
      setErrors(field === undefined ? { form: message } : { [field]: message })
      if (field !== undefined) document.getElementById(`assistant-${field}`)?.focus()
    } finally {
      setBusy(false)
    }
  }

  const title = assistant === undefined ? 'New assistant' : `Edit assistant ${assistant.name}`
  return (
    <form class='card form' onSubmit={submit} noValidate>
      <h3 id='assistant-form-title'>{title}</h3>
      <div class='field'>
        <label for='assistant-name'>Name</label>
        <input id='assistant-name' type='text' required maxLength={200} value={name} onInput={event => { setName(event.currentTarget.value) }} {...describedBy('assistant-name', errors.name)} />
        <FieldError id='assistant-name' message={errors.name} />
      </div>
      <div class='field'>
        <label for='assistant-model'>Model</label>
        <input
          id='assistant-model' type='text' required maxLength={200} list='assistant-model-options' autocomplete='off' spellcheck={false}
          value={model} onInput={event => { setModel(event.currentTarget.value) }} {...describedBy('assistant-model', errors.model, true)}
        />
        <datalist id='assistant-model-options'>
          {models.map(known => <option key={known.id} value={known.id}>{known.label}</option>)}
        </datalist>
        <FieldError id='assistant-model' message={errors.model} />
        <p id='assistant-model-hint' class='hint'>An OpenAI model id. Type to see suggestions.</p>
      </div>
      <div class='field'>
        <label for='assistant-instructions'>Instructions</label>
        <textarea id='assistant-instructions' rows={6} maxLength={100_000} value={instructions} onInput={event => { setInstructions(event.currentTarget.value) }} {...describedBy('assistant-instructions', errors.instructions)} />
        <FieldError id='assistant-instructions' message={errors.instructions} />
      </div>
      <div class='field-row'>
        <div class='field'>
          <label for='assistant-temperature'>Temperature</label>
          <input
            id='assistant-temperature' type='number' inputMode='decimal' min={0} max={2} step={0.1} value={temperature}
            onInput={event => { setTemperature(event.currentTarget.value) }} {...describedBy('assistant-temperature', errors.temperature, true)}
          />
          <FieldError id='assistant-temperature' message={errors.temperature} />
          <p id='assistant-temperature-hint' class='hint'>
            0 to 2; empty for the model's default.{capabilities !== undefined && !capabilities.temperature ? ' This model takes no temperature.' : ''}
          </p>
        </div>
        <div class='field'>
          <label for='assistant-reasoningEffort'>Reasoning effort</label>
          <select id='assistant-reasoningEffort' value={effort} onChange={event => { setEffort(event.currentTarget.value as ReasoningEffort | '') }} {...describedBy('assistant-reasoningEffort', errors.reasoningEffort, true)}>
            <option value=''>Model default</option>
            {REASONING_EFFORTS.map(level => <option key={level} value={level}>{level}</option>)}
          </select>
          <FieldError id='assistant-reasoningEffort' message={errors.reasoningEffort} />
          <p id='assistant-reasoningEffort-hint' class='hint'>
            {capabilities !== undefined && capabilities.reasoningEfforts.length === 0 ? 'This model has no reasoning-effort setting.' : 'For reasoning models.'}
          </p>
        </div>
      </div>
      {errors.form === undefined ? null : <p class='error' role='alert'>{errors.form}</p>}
      <div class='actions'>
        <button type='submit' class='primary' disabled={busy}>Save assistant</button>
        <button type='button' onClick={onCancel}>Cancel</button>
      </div>
    </form>
  )
}
