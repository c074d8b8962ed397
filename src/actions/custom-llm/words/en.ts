import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const en: ActionCopy = {
  actionName: 'Use a custom LLM',
  actionDescription: 'Send a prompt, with data from the enrolled record, to the AI provider and model of your choice, and use the answer in later workflow actions.',
  actionCardContent: 'Ask {{provider}} · {{model}}'
}

export default en
