import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const fr: ActionCopy = {
  actionName: 'Interroger un assistant OpenAI',
  actionDescription: 'Exécute un assistant OpenAI enregistré sur une invite, avec les données de la fiche inscrite, puis utilise la réponse dans les actions suivantes du workflow.',
  actionCardContent: 'Interroger l’assistant {{assistant}}',
  inputFields: {
    model: { label: 'Autre modèle', description: 'Laissez vide pour utiliser le modèle de l’assistant.' },
    temperature: { label: 'Autre température', description: 'Laissez vide pour utiliser la température de l’assistant. De 0 à 2.' }
  }
}

export default fr
