import type { LanguageCopy } from './language-copy.ts'

const nl: LanguageCopy = {
  appDisplayName: 'LLM-acties (zelf gehost)',
  inputFields: {
    provider: { label: 'AI-aanbieder', description: 'Toont de aanbieders die aan dit HubSpot-account zijn gekoppeld.' },
    model: { label: 'AI-model', description: 'De modellen die dit account met de gekozen aanbieder mag gebruiken.' },
    fallbackProvider: { label: 'Reserve-AI-aanbieder', description: 'Optioneel: wordt gebruikt als de gekozen aanbieder de sleutel weigert, het quotum op is of ook na nieuwe pogingen onbereikbaar blijft.' },
    fallbackModel: { label: 'Reserve-AI-model', description: 'Het model dat met de reserve-aanbieder wordt gebruikt.' },
    prompt: { label: 'Prompttekst', description: 'Wat het model moet doen. Gebruik {{input1}} tot en met {{input3}} voor de recordgegevens hieronder, of {{propertyName}} voor elke eigenschap van de ingeschreven record.' },
    temperature: { label: 'Temperatuur', description: 'Van 0 tot 2. Een lage waarde geeft gerichtere antwoorden, een hoge waarde meer gevarieerde. Modellen die dit niet ondersteunen, negeren de waarde.' },
    reasoningEffort: { label: 'Denkinspanning', description: 'Hoe lang het model nadenkt voordat het antwoordt. Alleen voor modellen die dit ondersteunen.' },
    maxOutputTokens: { label: 'Maximum aantal uitvoertokens', description: 'Optionele limiet voor de lengte van het antwoord.' },
    outputFormat: { label: 'Uitvoerformaat', description: 'Standaard tekst. Antwoorden als getal, waar/onwaar, keuze of JSON worden gecontroleerd en vullen ook een bijbehorende uitvoer.' },
    choices: { label: 'Keuzes', description: 'De toegestane antwoorden, gescheiden door puntkomma’s, bijvoorbeeld: warm;lauw;koud' },
    jsonSchema: { label: 'JSON-schema', description: 'Optioneel, voor het JSON-formaat: een JSON-schema waaraan het antwoord moet voldoen, bijvoorbeeld {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Assistent', description: 'Een opgeslagen assistent met een eigen model, eigen instructies en instellingen.' },
    processing: { label: 'Verwerking', description: 'Standaard antwoordt direct. Voordelig antwoordt binnen 24 uur voor ongeveer de halve prijs, via de batch-API van de aanbieder. Heeft de aanbieder geen batch-API of heeft dit HubSpot-account de app niet via OAuth geïnstalleerd, dan wordt de actie als Standaard uitgevoerd.' }
  },
  recordData: {
    label: number => `Recordgegevens ${number}`,
    description: placeholder => `Tekst of een eigenschap van de record. Gebruik het in de prompt als ${placeholder}.`
  },
  supportedProviders: names => `Deze service ondersteunt: ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Laag', medium: 'Gemiddeld', high: 'Hoog' },
    outputFormat: { text: 'Tekst', number: 'Getal', boolean: 'Waar/onwaar', choice: 'Een van de keuzes', json: 'JSON' },
    processing: { standard: 'Standaard (direct antwoord)', economy: 'Voordelig (batch, ongeveer halve prijs, binnen 24 uur)' }
  },
  outputFields: {
    response: 'Antwoord',
    responseNumber: 'Antwoord (getal)',
    responseBoolean: 'Antwoord (waar/onwaar)',
    responseChoice: 'Antwoord (keuze)',
    responseJson: 'Antwoord (JSON)',
    provider: 'AI-aanbieder',
    model: 'AI-model',
    inputTokens: 'Invoertokens',
    outputTokens: 'Uitvoertokens',
    costUsd: 'Kosten (USD)',
    errorCode: 'Foutcode',
    errorMessage: 'Foutmelding'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'Deze aanbieder is niet gekoppeld aan dit HubSpot-account. Koppel hem op de beheerpagina van de LLM-acties of kies een andere aanbieder.',
    PROVIDER_UNKNOWN: 'De gekozen aanbieder is niet geïnstalleerd op deze service. Kies een andere aanbieder in de actie.',
    MODEL_NOT_ALLOWED: 'Het gekozen model is niet toegestaan voor dit account. Kies een ander model of sta het toe op de beheerpagina.',
    PROVIDER_AUTH: 'De aanbieder heeft de opgeslagen API-sleutel geweigerd. Werk de sleutel bij op de beheerpagina.',
    PROVIDER_QUOTA: 'Het quotum of tegoed bij de aanbieder is op. Controleer de facturering bij de aanbieder.',
    PROVIDER_REJECTED: 'De aanbieder heeft het verzoek geweigerd: {{errorMessage}}',
    PROVIDER_TIMEOUT: 'De aanbieder heeft niet op tijd geantwoord. Probeer een kortere prompt, een lagere uitvoerlimiet of een sneller model.',
    OUTPUT_FORMAT: 'Het antwoord paste ook bij een tweede poging niet in het uitvoerformaat. Beschrijf in de prompt duidelijker welk antwoord je verwacht.',
    TEMPLATE_UNRESOLVED: 'Een placeholder in de prompt heeft geen waarde voor deze record: {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'De gekozen assistent bestaat niet meer. Kies een andere assistent in de actie.',
    INVALID_INPUT: 'De instellingen van de actie zijn ongeldig: {{errorMessage}}',
    KEY_UNREADABLE: 'De service kan de opgeslagen API-sleutel voor deze aanbieder niet lezen. Vraag de beheerder van de service de versleutelingssleutels te controleren, of koppel de aanbieder opnieuw op de beheerpagina.',
    BUDGET_EXCEEDED: 'Dit HubSpot-account heeft zijn maandelijkse AI-budget opgebruikt, dus het model is niet aangeroepen. Vraag de beheerder van de service het budget te verhogen, of wacht tot volgende maand.',
    fallback: 'De actie is mislukt ({{errorCode}}): {{errorMessage}}'
  }
}

export default nl
