import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const nl: ActionCopy = {
  actionName: 'OpenAI-assistent vragen',
  actionDescription: 'Voert een opgeslagen OpenAI-assistent uit met een prompt en gegevens van de ingeschreven record, en gebruikt het antwoord in de volgende workflowacties.',
  actionCardContent: 'Assistent {{assistant}} vragen',
  inputFields: {
    model: { label: 'Ander model', description: 'Laat leeg om het model van de assistent te gebruiken.' },
    temperature: { label: 'Andere temperatuur', description: 'Laat leeg om de temperatuur van de assistent te gebruiken. Van 0 tot 2.' }
  }
}

export default nl
