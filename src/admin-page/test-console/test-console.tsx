import { useEffect, useState } from 'preact/hooks'
import { ApiError, api, errorMessage, portalPath } from '../api.ts'
import { OUTPUT_FORMATS, REASONING_EFFORTS, type ConnectionModels, type InvokeBody, type InvokeResponse } from '../api-types.ts'
import { FieldError, describedBy } from '../field-error.tsx'
import type { PortalData } from '../portal/portal-page.tsx'
import { portalHref } from '../router.ts'
import { useLoad } from '../use-load.ts'
import { parseRecordProperties } from './record-properties.ts'
import { TestResult } from './test-result.tsx'

const FORMAT_LABELS: Readonly<Record<typeof OUTPUT_FORMATS[number], string>> = {
  text: 'Text', number: 'Number', boolean: 'Yes or no', choice: 'One of a list', json: 'JSON'
}

type Field = 'provider' | 'model' | 'prompt' | 'properties' | 'temperature' | 'maxOutputTokens' | 'choices' | 'jsonSchema'
type Errors = Partial<Record<Field | 'form', string>>

/** Runs a prompt as "Use a custom LLM" would (POST /api/portals/:portalId/invoke), recorded as a test execution. */
export function TestConsole ({ portal }: { readonly portal: PortalData }) {
  const providers = portal.providers.data ?? []
  const connected = providers.filter(provider => (portal.connections.data ?? []).some(connection => connection.provider === provider.id))
  const choices = connected.length > 0 ? connected : providers
  const [provider, setProvider] = useState('')
  const [model, setModel] = useState('')
  const [prompt, setPrompt] = useState('')
  const [properties, setProperties] = useState('')
  const [temperature, setTemperature] = useState('')
  const [effort, setEffort] = useState('')
  const [maxOutputTokens, setMaxOutputTokens] = useState('')
  const [format, setFormat] = useState<typeof OUTPUT_FORMATS[number]>('text')
  const [choiceList, setChoiceList] = useState('')
  const [jsonSchema, setJsonSchema] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [running, setRunning] = useState(false)
  const [result, setResult] = useState<InvokeResponse | undefined>(undefined)
  const chosenProvider = choices.some(known => known.id === provider) ? provider : choices[0]?.id ?? ''
  const isConnected = connected.some(known => known.id === chosenProvider)

  useEffect(() => { if (chosenProvider !== provider) setProvider(chosenProvider) }, [chosenProvider, provider])

  const offered = useLoad(async () => isConnected
    ? (await api.get<ConnectionModels>(portalPath(portal.portalId, 'connections', chosenProvider, 'models'))).items
    : providers.find(known => known.id === chosenProvider)?.models ?? [], [portal.portalId, chosenProvider, isConnected])
  const models = offered.data ?? []

  const run = async (event: Event) => {
    event.preventDefault()
    const parsed = parseRecordProperties(properties)
    const found: Errors = {}
    if (chosenProvider === '') found.provider = 'Choose a provider.'
    if (model.trim() === '') found.model = 'Enter a model.'
    if (prompt.trim() === '') found.prompt = 'Enter a prompt.'
    if ('error' in parsed) found.properties = parsed.error
    if (temperature.trim() !== '' && !(Number(temperature) >= 0 && Number(temperature) <= 2)) found.temperature = 'The temperature is a number from 0 to 2.'
    if (maxOutputTokens.trim() !== '' && !(Number.isInteger(Number(maxOutputTokens)) && Number(maxOutputTokens) >= 1)) found.maxOutputTokens = 'A whole number of tokens, 1 or more.'
    if (format === 'choice' && choiceList.split(';').every(choice => choice.trim() === '')) found.choices = 'List the allowed answers, separated by ;'
    setErrors(found)
    const first = Object.keys(found)[0]
    if (first !== undefined || 'error' in parsed) {
      document.getElementById(`test-${first ?? 'properties'}`)?.focus()
      return
    }
    const inputFields: Record<string, string> = { provider: chosenProvider, model: model.trim(), prompt, outputFormat: format }
    if (temperature.trim() !== '') inputFields.temperature = temperature.trim()
    if (effort !== '') inputFields.reasoningEffort = effort
    if (maxOutputTokens.trim() !== '') inputFields.maxOutputTokens = maxOutputTokens.trim()
    if (format === 'choice') inputFields.choices = choiceList
    if (format === 'json' && jsonSchema.trim() !== '') inputFields.jsonSchema = jsonSchema
    setRunning(true)
    setResult(undefined)
    try {
      const body: InvokeBody = { action: 'custom-llm', inputFields, properties: parsed.properties }
      setResult(await api.post<InvokeResponse>(portalPath(portal.portalId, 'invoke'), body))
    } catch (caught) {
      setErrors({ form: caught instanceof ApiError && caught.status === 429 ? `${caught.message} Try again in a moment.` : errorMessage(caught) })
    } finally {
      setRunning(false)
    }
  }

  const set = (setter: (value: string) => void) => (event: { currentTarget: { value: string } }) => { setter(event.currentTarget.value) }
  return (
    <div class='console'>
      <form class='card form' onSubmit={run} noValidate>
        <h2 id='test-title'>Test a prompt</h2>
        <p class='hint intro'>Runs exactly as the "Use a custom LLM" action would, and is recorded as a test execution with its cost.</p>
        {connected.length === 0 && portal.connections.data !== undefined
          ? <p class='hint intro'>No provider is connected yet: <a href={portalHref(portal.portalId, 'connections')}>connect one</a> first.</p>
          : null}
        <div class='field-row'>
          <div class='field'>
            <label for='test-provider'>Provider</label>
            <select id='test-provider' value={chosenProvider} onChange={event => { setProvider(event.currentTarget.value); setModel('') }} {...describedBy('test-provider', errors.provider)}>
              {choices.map(known => <option key={known.id} value={known.id}>{known.label}</option>)}
            </select>
            <FieldError id='test-provider' message={errors.provider} />
          </div>
          <div class='field'>
            <label for='test-model'>Model</label>
            <input id='test-model' type='text' list='test-model-options' autocomplete='off' spellcheck={false} value={model} onInput={set(setModel)} {...describedBy('test-model', errors.model, true)} />
            <datalist id='test-model-options'>
              {models.map(known => <option key={known.id} value={known.id}>{known.label}</option>)}
            </datalist>
            <FieldError id='test-model' message={errors.model} />
            <p id='test-model-hint' class='hint'>{offered.loading ? 'Loading the models…' : offered.error ?? `${models.length} models offered; type to see them.`}</p>
          </div>
        </div>
        <div class='field'>
          <label for='test-prompt'>Prompt</label>
          <textarea id='test-prompt' rows={5} value={prompt} onInput={set(setPrompt)} {...describedBy('test-prompt', errors.prompt, true)} />
          <FieldError id='test-prompt' message={errors.prompt} />
          <p id='test-prompt-hint' class='hint'>{'Quote a record property with {{name}}, e.g. {{firstname}}.'}</p>
        </div>
        <div class='field'>
          <label for='test-properties'>Record properties</label>
          <textarea id='test-properties' rows={3} spellcheck={false} placeholder={'firstname=Ada\ncompany=Acme'} value={properties} onInput={set(setProperties)} {...describedBy('test-properties', errors.properties, true)} />
          <FieldError id='test-properties' message={errors.properties} />
          <p id='test-properties-hint' class='hint'>{'One property a line as name=value, e.g. firstname=Ada; the prompt quotes it as {{firstname}}.'}</p>
        </div>
        <div class='field-row'>
          <div class='field'>
            <label for='test-temperature'>Temperature</label>
            <input id='test-temperature' type='number' inputMode='decimal' min={0} max={2} step={0.1} value={temperature} onInput={set(setTemperature)} {...describedBy('test-temperature', errors.temperature, true)} />
            <FieldError id='test-temperature' message={errors.temperature} />
            <p id='test-temperature-hint' class='hint'>0 to 2; empty for the default.</p>
          </div>
          <div class='field'>
            <label for='test-effort'>Reasoning effort</label>
            <select id='test-effort' value={effort} onChange={set(setEffort)}>
              <option value=''>Model default</option>
              {REASONING_EFFORTS.map(level => <option key={level} value={level}>{level}</option>)}
            </select>
          </div>
          <div class='field'>
            <label for='test-maxOutputTokens'>Max output tokens</label>
            <input id='test-maxOutputTokens' type='number' inputMode='numeric' min={1} step={1} value={maxOutputTokens} onInput={set(setMaxOutputTokens)} {...describedBy('test-maxOutputTokens', errors.maxOutputTokens)} />
            <FieldError id='test-maxOutputTokens' message={errors.maxOutputTokens} />
          </div>
        </div>
        <div class='field'>
          <label for='test-format'>Output format</label>
          <select id='test-format' value={format} onChange={event => { setFormat(event.currentTarget.value as typeof OUTPUT_FORMATS[number]) }}>
            {OUTPUT_FORMATS.map(known => <option key={known} value={known}>{FORMAT_LABELS[known]}</option>)}
          </select>
        </div>
        {format === 'choice'
          ? (
            <div class='field'>
              <label for='test-choices'>Choices</label>
              <input id='test-choices' type='text' placeholder='hot;warm;cold' value={choiceList} onInput={set(setChoiceList)} {...describedBy('test-choices', errors.choices, true)} />
              <FieldError id='test-choices' message={errors.choices} />
              <p id='test-choices-hint' class='hint'>The allowed answers, separated by ;</p>
            </div>
            )
          : null}
        {format === 'json'
          ? (
            <div class='field'>
              <label for='test-jsonSchema'>JSON Schema</label>
              <textarea id='test-jsonSchema' rows={4} spellcheck={false} value={jsonSchema} onInput={set(setJsonSchema)} {...describedBy('test-jsonSchema', undefined, true)} />
              <p id='test-jsonSchema-hint' class='hint'>Optional: the answer must validate against it.</p>
            </div>
            )
          : null}
        {errors.form === undefined ? null : <p class='error' role='alert'>{errors.form}</p>}
        <div class='actions'>
          <button type='submit' class='primary' disabled={running} aria-describedby={running ? 'test-running' : undefined}>Run test</button>
          {running ? <p id='test-running' class='hint'>Running the test; long reasoning calls can take minutes…</p> : null}
        </div>
      </form>
      {result === undefined ? null : <TestResult result={result} />}
    </div>
  )
}
