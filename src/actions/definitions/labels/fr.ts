import type { LanguageCopy } from './language-copy.ts'

const fr: LanguageCopy = {
  appDisplayName: 'Actions LLM (auto-hébergées)',
  inputFields: {
    provider: { label: 'Fournisseur d’IA', description: 'Liste les fournisseurs connectés à ce compte HubSpot.' },
    model: { label: 'Modèle d’IA', description: 'Les modèles que ce compte peut utiliser avec le fournisseur choisi.' },
    fallbackProvider: { label: 'Fournisseur d’IA de secours', description: 'Facultatif : utilisé si le fournisseur choisi refuse la clé, a épuisé son quota ou reste indisponible après plusieurs tentatives.' },
    fallbackModel: { label: 'Modèle d’IA de secours', description: 'Le modèle à utiliser avec le fournisseur de secours.' },
    prompt: { label: 'Invite', description: 'Ce que le modèle doit faire. Utilisez {{input1}} à {{input3}} pour les données de fiche ci-dessous, ou {{propertyName}} pour n’importe quelle propriété de la fiche inscrite.' },
    temperature: { label: 'Température', description: 'De 0 à 2. Une valeur basse donne des réponses plus ciblées, une valeur haute des réponses plus variées. Ignorée par les modèles qui ne la prennent pas en charge.' },
    reasoningEffort: { label: 'Effort de raisonnement', description: 'Le temps de réflexion du modèle avant de répondre. Uniquement pour les modèles compatibles.' },
    maxOutputTokens: { label: 'Nombre maximal de jetons de sortie', description: 'Limite facultative de la longueur de la réponse.' },
    outputFormat: { label: 'Format de sortie', description: 'Texte par défaut. Les réponses de type nombre, vrai/faux, choix ou JSON sont vérifiées et alimentent aussi une sortie dédiée.' },
    choices: { label: 'Choix possibles', description: 'Les réponses autorisées, séparées par des points-virgules, par exemple : chaud;tiède;froid' },
    jsonSchema: { label: 'Schéma JSON', description: 'Facultatif, pour le format JSON : un schéma JSON auquel la réponse doit se conformer, par exemple {"type": "object", "properties": {"score": {"type": "number"}}}.' },
    assistant: { label: 'Assistant enregistré', description: 'Un assistant enregistré, avec son propre modèle, ses instructions et ses réglages.' },
    processing: { label: 'Traitement', description: 'Standard répond immédiatement. Économique répond sous 24 heures pour environ la moitié du prix, via l’API de traitement par lots du fournisseur. Si le fournisseur n’a pas d’API par lots ou si ce compte HubSpot n’a pas installé l’application via OAuth, l’action s’exécute en Standard.' }
  },
  recordData: {
    label: number => `Données de fiche ${number}`,
    description: placeholder => `Du texte ou une propriété de la fiche. À utiliser dans l’invite sous la forme ${placeholder}.`
  },
  supportedProviders: names => `Ce service prend en charge : ${names}.`,
  optionLabels: {
    reasoningEffort: { low: 'Faible', medium: 'Moyen', high: 'Élevé' },
    outputFormat: { text: 'Texte', number: 'Nombre', boolean: 'Vrai/faux', choice: 'Un des choix possibles', json: 'JSON' },
    processing: { standard: 'Standard (réponse immédiate)', economy: 'Économique (par lots, environ moitié prix, sous 24 heures)' }
  },
  outputFields: {
    response: 'Réponse',
    responseNumber: 'Réponse (nombre)',
    responseBoolean: 'Réponse (vrai/faux)',
    responseChoice: 'Réponse (choix)',
    responseJson: 'Réponse (JSON)',
    provider: 'Fournisseur d’IA',
    model: 'Modèle d’IA',
    inputTokens: 'Jetons d’entrée',
    outputTokens: 'Jetons de sortie',
    costUsd: 'Coût (USD)',
    errorCode: 'Code d’erreur',
    errorMessage: 'Message d’erreur'
  },
  executionRules: {
    PROVIDER_NOT_CONNECTED: 'Ce fournisseur n’est pas connecté à ce compte HubSpot. Connectez-le depuis la page d’administration des actions LLM, ou choisissez un autre fournisseur.',
    PROVIDER_UNKNOWN: 'Le fournisseur choisi n’est pas installé sur ce service. Choisissez un autre fournisseur dans l’action.',
    MODEL_NOT_ALLOWED: 'Le modèle choisi n’est pas autorisé pour ce compte. Choisissez un autre modèle, ou autorisez-le depuis la page d’administration.',
    PROVIDER_AUTH: 'Le fournisseur a refusé la clé API enregistrée. Mettez la clé à jour depuis la page d’administration.',
    PROVIDER_QUOTA: 'Le compte du fournisseur a épuisé son quota ou ses crédits. Vérifiez la facturation auprès du fournisseur.',
    PROVIDER_REJECTED: 'Le fournisseur a refusé la requête : {{errorMessage}}',
    PROVIDER_TIMEOUT: 'Le fournisseur n’a pas répondu à temps. Essayez une invite plus courte, une limite de sortie plus basse ou un modèle plus rapide.',
    OUTPUT_FORMAT: 'La réponse ne respectait pas le format de sortie, même après une deuxième tentative. Précisez dans l’invite la réponse attendue.',
    TEMPLATE_UNRESOLVED: 'Une variable de l’invite n’a pas de valeur pour cette fiche : {{errorMessage}}',
    ASSISTANT_NOT_FOUND: 'L’assistant choisi n’existe plus. Choisissez un autre assistant dans l’action.',
    INVALID_INPUT: 'Les paramètres de l’action ne sont pas valides : {{errorMessage}}',
    KEY_UNREADABLE: 'Le service ne parvient pas à lire la clé API enregistrée pour ce fournisseur. Demandez à l’exploitant du service de vérifier ses clés de chiffrement, ou reconnectez le fournisseur depuis la page d’administration.',
    BUDGET_EXCEEDED: 'Ce compte HubSpot a dépensé son budget IA mensuel : le modèle n’a pas été appelé. Demandez à l’exploitant du service d’augmenter le budget, ou attendez le mois prochain.',
    fallback: 'L’action a échoué ({{errorCode}}) : {{errorMessage}}'
  }
}

export default fr
