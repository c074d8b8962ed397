import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const de: ActionCopy = {
  actionName: 'Benutzerdefiniertes LLM verwenden',
  actionDescription: 'Sendet einen Prompt mit Daten aus dem registrierten Datensatz an den KI-Anbieter und das Modell Ihrer Wahl. Die Antwort können Sie in den folgenden Workflow-Aktionen verwenden.',
  actionCardContent: '{{provider}} · {{model}} fragen'
}

export default de
