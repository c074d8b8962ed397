import type { LanguageCopy } from './language-copy.ts'

const de: LanguageCopy = {
  appDisplayName: 'LLM-Aktionen (selbst gehostet)',
  inputFields: {
    provider: { label: 'KI-Anbieter', description: 'Zeigt die Anbieter, die für diesen HubSpot-Account verbunden sind.' },
    model: { label: 'KI-Modell', description: 'Die Modelle, die dieser Account mit dem gewählten Anbieter nutzen darf.' },
    fallbackProvider: { label: 'KI-Ersatzanbieter', description: 'Optional: springt ein, wenn der gewählte Anbieter den Schlüssel ablehnt, sein Kontingent aufgebraucht ist oder er auch nach erneuten Versuchen nicht erreichbar ist.' },
    fallbackModel: { label: 'KI-Ersatzmodell', description: 'Das Modell, das mit dem Ersatzanbieter verwendet wird.' },
    prompt: { label: 'Prompt-Text', description: 'Was das Modell tun soll. Mit {{input1}} bis {{input3}} fügen Sie die Datensatzdaten unten ein, mit {{propertyName}} jede Eigenschaft des registrierten Datensatzes.' },
    temperature: { label: 'Temperatur', description: 'Von 0 bis 2. Niedrige Werte ergeben fokussiertere Antworten, hohe Werte abwechslungsreichere. Modelle ohne Unterstützung ignorieren den Wert.' },
    reasoningEffort: { label: 'Denkaufwand', description: 'Wie lange das Modell nachdenkt, bevor es antwortet. Nur bei Modellen, die das unterstützen.' },
    maxOutputTokens: { label: 'Maximale Ausgabe-Tokens', description: 'Optionale Obergrenze für die Länge der Antwort.' },
    outputFormat: { label: 'Ausgabeformat', description: 'Standardmäßig Freitext. Antworten als Zahl, Wahr/Falsch, Auswahl oder JSON werden geprüft und füllen zusätzlich eine passende Ausgabe.' },
    choices: { label: 'Auswahlmöglichkeiten', description: 'Die erlaubten Antworten, durch Semikolons getrennt, zum Beispiel: heiß;warm;kalt' },
    jsonSchema: { label: 'JSON-Schema', description: 'Optional, für das JSON-Format: ein JSON-Schema, dem die Antwort entsprechen muss, zum Beispiel {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Assistent', description: 'Ein gespeicherter Assistent mit eigenem Modell, eigenen Anweisungen und Einstellungen.' },
    processing: { label: 'Verarbeitung', description: 'Standard antwortet sofort. Spartarif antwortet innerhalb von 24 Stunden zu etwa dem halben Preis, über die Batch-API des Anbieters. Hat der Anbieter keine Batch-API oder hat dieser HubSpot-Account die App nicht per OAuth installiert, läuft die Aktion als Standard.' }
  },
  recordData: {
    label: number => `Datensatzdaten ${number}`,
    description: placeholder => `Text oder eine Eigenschaft des Datensatzes. Im Prompt als ${placeholder} verwenden.`
  },
  supportedProviders: names => `Dieser Dienst unterstützt: ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Niedrig', medium: 'Mittel', high: 'Hoch' },
    outputFormat: { text: 'Freitext', number: 'Zahl', boolean: 'Wahr/Falsch', choice: 'Eine der Auswahlmöglichkeiten', json: 'JSON' },
    processing: { standard: 'Standard (sofortige Antwort)', economy: 'Spartarif (Batch, etwa halber Preis, innerhalb von 24 Stunden)' }
  },
  outputFields: {
    response: 'Antwort',
    responseNumber: 'Antwort (Zahl)',
    responseBoolean: 'Antwort (Wahr/Falsch)',
    responseChoice: 'Antwort (Auswahl)',
    responseJson: 'Antwort (JSON)',
    provider: 'KI-Anbieter',
    model: 'KI-Modell',
    inputTokens: 'Eingabe-Tokens',
    outputTokens: 'Ausgabe-Tokens',
    costUsd: 'Kosten (USD)',
    errorCode: 'Fehlercode',
    errorMessage: 'Fehlermeldung'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'Dieser Anbieter ist für diesen HubSpot-Account nicht verbunden. Verbinden Sie ihn auf der Verwaltungsseite der LLM-Aktionen oder wählen Sie einen anderen Anbieter.',
    PROVIDER_UNKNOWN: 'Der gewählte Anbieter ist in diesem Dienst nicht installiert. Wählen Sie in der Aktion einen anderen Anbieter.',
    MODEL_NOT_ALLOWED: 'Das gewählte Modell ist für diesen Account nicht freigegeben. Wählen Sie ein anderes Modell oder geben Sie es auf der Verwaltungsseite frei.',
    PROVIDER_AUTH: 'Der Anbieter hat den gespeicherten API-Schlüssel abgelehnt. Hinterlegen Sie auf der Verwaltungsseite einen gültigen Schlüssel.',
    PROVIDER_QUOTA: 'Das Kontingent oder Guthaben beim Anbieter ist aufgebraucht. Prüfen Sie die Abrechnung beim Anbieter.',
    PROVIDER_REJECTED: 'Der Anbieter hat die Anfrage abgelehnt: {{errorMessage}}',
    PROVIDER_TIMEOUT: 'Der Anbieter hat nicht rechtzeitig geantwortet. Versuchen Sie einen kürzeren Prompt, ein niedrigeres Ausgabelimit oder ein schnelleres Modell.',
    OUTPUT_FORMAT: 'Die Antwort passte auch beim zweiten Versuch nicht zum Ausgabeformat. Beschreiben Sie im Prompt genauer, welche Antwort Sie erwarten.',
    TEMPLATE_UNRESOLVED: 'Ein Platzhalter im Prompt hat für diesen Datensatz keinen Wert: {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'Den gewählten Assistenten gibt es nicht mehr. Wählen Sie in der Aktion einen anderen Assistenten.',
    INVALID_INPUT: 'Die Einstellungen der Aktion sind ungültig: {{errorMessage}}',
    KEY_UNREADABLE: 'Der Dienst kann den gespeicherten API-Schlüssel für diesen Anbieter nicht lesen. Bitten Sie den Betreiber des Dienstes, die Verschlüsselungsschlüssel zu prüfen, oder verbinden Sie den Anbieter auf der Verwaltungsseite neu.',
    BUDGET_EXCEEDED: 'Dieses HubSpot-Konto hat sein monatliches KI-Budget ausgeschöpft, daher wurde das Modell nicht aufgerufen. Bitten Sie den Betreiber des Dienstes, das Budget zu erhöhen, oder warten Sie bis zum nächsten Monat.',
    fallback: 'Die Aktion ist fehlgeschlagen ({{errorCode}}): {{errorMessage}}'
  }
}

export default de
