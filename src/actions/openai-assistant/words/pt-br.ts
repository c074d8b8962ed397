import type { ActionCopy } from '../../definitions/labels/language-copy.ts'

const ptBr: ActionCopy = {
  actionName: 'Perguntar ao assistente da OpenAI',
  actionDescription: 'Executa um assistente da OpenAI salvo com uma instrução e dados do registro inscrito, e usa a resposta nas próximas ações do fluxo de trabalho.',
  actionCardContent: 'Perguntar ao assistente {{assistant}}',
  inputFields: {
    model: { label: 'Outro modelo', description: 'Deixe em branco para usar o modelo do assistente.' },
    temperature: { label: 'Outra temperatura', description: 'Deixe em branco para usar a temperatura do assistente. De 0 a 2.' }
  }
}

export default ptBr
