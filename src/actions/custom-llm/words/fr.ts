import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const fr: ActionCopy = {
  actionName: 'Utiliser un LLM personnalisé',
  actionDescription: 'Envoie une invite, avec les données de la fiche inscrite, au fournisseur d’IA et au modèle de votre choix, puis utilise la réponse dans les actions suivantes du workflow.',
  actionCardContent: 'Interroger {{provider}} · {{model}}'
}

export default fr
