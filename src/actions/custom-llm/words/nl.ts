import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const nl: ActionCopy = {
  actionName: 'Aangepast LLM gebruiken',
  actionDescription: 'Stuurt een prompt met gegevens van de ingeschreven record naar de AI-aanbieder en het model van je keuze, en gebruikt het antwoord in de volgende workflowacties.',
  actionCardContent: '{{provider}} · {{model}} vragen'
}

export default nl
