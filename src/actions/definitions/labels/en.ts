import type { LanguageCopy } from './language-copy.ts'

const en: LanguageCopy = {
  appDisplayName: 'LLM actions (self-hosted)',
  inputFields: {
    provider: { label: 'AI provider', description: 'Lists the providers connected for this HubSpot account.' },
    model: { label: 'AI model', description: 'The models this account may use with the chosen provider.' },
    fallbackProvider: { label: 'Fallback AI provider', description: 'Optional: used when the chosen provider rejects the key, is out of quota or stays unavailable after retries.' },
    fallbackModel: { label: 'Fallback AI model', description: 'The model to use with the fallback provider.' },
    prompt: { label: 'Prompt', description: 'What the model should do. Use {{input1}} to {{input3}} for the record data below, or {{propertyName}} for any property of the enrolled record.' },
    temperature: { label: 'Temperature', description: 'From 0 to 2. Lower values give more focused answers, higher values more varied ones. Ignored by models that do not support it.' },
    reasoningEffort: { label: 'Reasoning effort', description: 'How long the model thinks before it answers. Only for models that support it.' },
    maxOutputTokens: { label: 'Maximum output tokens', description: 'Optional limit on the length of the answer.' },
    outputFormat: { label: 'Output format', description: 'Text unless you choose otherwise. Number, true/false, choice and JSON answers are checked and also fill a matching output.' },
    choices: { label: 'Choices', description: 'The allowed answers, separated by semicolons, for example: hot;warm;cold' },
    jsonSchema: { label: 'JSON schema', description: 'Optional, for the JSON format: a JSON Schema the answer must match, for example {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Assistant', description: 'A saved assistant with its own model, instructions and settings.' },
    processing: { label: 'Processing', description: 'Standard answers right away. Economy answers within 24 hours at about half the price, through the provider\'s batch API. Economy runs as Standard when the provider has no batch API or this HubSpot account has not installed the app via OAuth.' }
  },
  recordData: {
    label: number => `Record data ${number}`,
    description: placeholder => `Text or a property of the record. Use it in the prompt as ${placeholder}.`
  },
  supportedProviders: names => `This service supports: ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Low', medium: 'Medium', high: 'High' },
    outputFormat: { text: 'Text', number: 'Number', boolean: 'True/false', choice: 'One of the choices', json: 'JSON' },
    processing: { standard: 'Standard (answer now)', economy: 'Economy (batch, about half price, within 24 hours)' }
  },
  outputFields: {
    response: 'Response',
    responseNumber: 'Response (number)',
    responseBoolean: 'Response (true/false)',
    responseChoice: 'Response (choice)',
    responseJson: 'Response (JSON)',
    provider: 'AI provider',
    model: 'AI model',
    inputTokens: 'Input tokens',
    outputTokens: 'Output tokens',
    costUsd: 'Cost (USD)',
    errorCode: 'Error code',
    errorMessage: 'Error message'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'This provider is not connected for this HubSpot account. Connect it on the LLM actions admin page, or choose another provider.',
    PROVIDER_UNKNOWN: 'The chosen provider is not installed on this service. Choose another provider in the action.',
    MODEL_NOT_ALLOWED: 'The chosen model is not allowed for this account. Choose another model, or allow it on the admin page.',
    PROVIDER_AUTH: 'The provider rejected the stored API key. Update the key on the admin page.',
    PROVIDER_QUOTA: 'The provider account is out of quota or credit. Check billing with the provider.',
    PROVIDER_REJECTED: 'The provider refused the request: {{errorMessage}}',
    PROVIDER_TIMEOUT: 'The provider did not answer in time. Try a shorter prompt, a lower output limit or a faster model.',
    OUTPUT_FORMAT: 'The answer did not match the output format, even after a second try. Say more clearly in the prompt what answer you expect.',
    TEMPLATE_UNRESOLVED: 'A prompt placeholder has no value for this record: {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'The chosen assistant no longer exists. Choose another assistant in the action.',
    INVALID_INPUT: 'The action settings are not valid: {{errorMessage}}',
    KEY_UNREADABLE: 'The stored API key for this provider cannot be read by the service. Ask the service operator to check its encryption keys, or reconnect the provider on the admin page.',
    BUDGET_EXCEEDED: 'This HubSpot account has spent its monthly AI budget, so the model was not called. Ask the service operator to raise the budget, or wait for next month.',
    fallback: 'The action failed ({{errorCode}}): {{errorMessage}}'
  }
}

export default en
