import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const de: ActionCopy = {
  actionName: 'OpenAI-Assistenten fragen',
  actionDescription: 'Führt einen gespeicherten OpenAI-Assistenten mit einem Prompt und Daten aus dem registrierten Datensatz aus. Die Antwort können Sie in den folgenden Workflow-Aktionen verwenden.',
  actionCardContent: 'Assistent {{assistant}} fragen',
  inputFields: {
    model: { label: 'Anderes Modell', description: 'Leer lassen, um das Modell des Assistenten zu verwenden.' },
    temperature: { label: 'Andere Temperatur', description: 'Leer lassen, um die Temperatur des Assistenten zu verwenden. Von 0 bis 2.' }
  }
}

export default de
