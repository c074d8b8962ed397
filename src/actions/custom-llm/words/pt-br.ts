import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const ptBr: ActionCopy = {
  actionName: 'Usar um LLM personalizado',
  actionDescription: 'Envia uma instrução, com dados do registro inscrito, ao provedor de IA e ao modelo de sua escolha, e usa a resposta nas próximas ações do fluxo de trabalho.',
  actionCardContent: 'Perguntar a {{provider}} · {{model}}'
}

export default ptBr
