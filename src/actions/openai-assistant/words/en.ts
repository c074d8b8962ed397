import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const en: ActionCopy = {
  actionName: 'Ask OpenAI assistant',
  actionDescription: 'Run a saved OpenAI assistant on a prompt, with data from the enrolled record, and use the answer in later workflow actions.',
  actionCardContent: 'Ask assistant {{assistant}}',
  inputFields: {
    model: { label: 'Model override', description: 'Leave empty to use the assistant\'s model.' },
    temperature: { label: 'Temperature override', description: 'Leave empty to use the assistant\'s temperature. From 0 to 2.' }
  }
}

export default en
